"""What the simulated face camera films, by name: a demo person in front of the kiosk
(near, far, turning their head, blinking), a photo of one held up, a video of one played
on a tablet held up (who does as the kiosk asks: the worst an impostor can bring), two
people, or nobody. Pure
Python: a profile's scene is read at start; filming.py draws it when the camera runs."""
from __future__ import annotations

from dataclasses import dataclass

FRAME_SIZE = (640, 480)
KINDS = ("person", "photo", "screen", "two_people", "nobody")
ACTIONS = ("", "turn_left", "turn_right", "blink")
DISTANCES = {"ok": 0.25, "far": 0.08, "near": 0.6}  # the face's width as a share of the frame's


@dataclass(frozen=True)
class Scene:
    kind: str = "nobody"
    person: str = ""  # a demo person's key (assets/seed/demo.json)
    distance: str = "ok"
    action: str = ""  # a head turn or a blink, repeated: "turn_left" is toward the person's left
    other: str = ""  # the second person of "two_people"

    def __post_init__(self):
        if self.kind not in KINDS or self.action not in ACTIONS or self.distance not in DISTANCES:
            raise ValueError(f"not a face scene: {self}")
        if self.kind != "nobody" and not self.person or self.kind == "two_people" and not self.other:
            raise ValueError(f"a {self.kind} scene needs its demo people")

    @classmethod
    def parse(cls, text: str) -> Scene:
        """"nobody", "person:li", "person:li:turn_left", "person:li:blink", "person:wang:far", "photo:li",
        "screen:li",
        "two_people:wang,chen": how the demo panel and kiosk-diag name a scene."""
        kind, _, rest = text.strip().partition(":")
        person, _, extra = rest.partition(":")
        if kind == "two_people":
            first, _, second = person.partition(",")
            return cls(kind, first, other=second)
        if extra and extra not in ACTIONS and extra not in DISTANCES:
            raise ValueError(f"not a face scene: {text!r}")
        return cls(kind, person, action=extra if extra in ACTIONS else "",
                   distance=extra if extra in DISTANCES else "ok")

    @property
    def name(self) -> str:
        if self.kind == "nobody":
            return "nobody"
        if self.kind == "two_people":
            return f"two_people:{self.person},{self.other}"
        extra = self.action or (self.distance if self.distance != "ok" else "")
        return f"{self.kind}:{self.person}" + (f":{extra}" if extra else "")


def demo_scenes(people: list[str]) -> list[str]:
    """The scenes a demo panel offers for these demo people (keys), by name."""
    names = ["nobody"]
    for key in people:
        names += [f"person:{key}", f"person:{key}:turn_left", f"person:{key}:turn_right", f"person:{key}:blink",
                  f"photo:{key}"]
    if people:
        names += [f"person:{people[0]}:far", f"person:{people[0]}:near", f"screen:{people[0]}"]
    if len(people) > 1:
        names.append(f"two_people:{people[0]},{people[1]}")
    return names
