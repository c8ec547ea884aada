"""实人认证: the provincial real-person authentication service compares a live face with
the photo on record for a resident ID number (the Ministry of Public Security's, which
the county never holds). The back office checks liveness itself first, then shows the
service one frontal frame: the least it can transfer.

`EmulatedRealPerson` stands in for it with a folder of reference photos named by ID
number (the demo's people and the tests), compared with this back office's own model;
`NoRealPerson` where no service is contracted: a resident ID card then has no face route
and the kiosk offers the SMS code. Chosen by BACKOFFICE_REAL_PERSON=emulator:PATH|none."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from . import detect, images, sequence
from .compare import compare
from .embed import embedding
from .model import model

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")


@dataclass(frozen=True)
class RealPersonVerdict:
    match: bool
    score: float | None  # the service's measure (the emulator's: our model's distance); None without a record
    model: str  # what decided, for the audit
    reason: str = ""


class RealPersonCheck(ABC):
    name = ""

    @abstractmethod
    def available(self) -> bool:
        """Whether a comparison can be asked for now (a challenge is refused before the citizen turns otherwise)."""

    @abstractmethod
    def compare(self, id_number: str, name: str, live_jpeg: bytes, threshold: float) -> RealPersonVerdict | None:
        """The service's verdict on the live face for the ID number, or None when it
        cannot be reached now."""


class EmulatedRealPerson(RealPersonCheck):
    """Reference photos in a folder, `<ID number>.jpg` (or .png), read when asked."""

    name = "emulator"

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def available(self) -> bool:
        return self.folder.is_dir()

    def compare(self, id_number: str, name: str, live_jpeg: bytes, threshold: float) -> RealPersonVerdict | None:
        if not self.available():
            return None
        face_model = model()
        decided_by = f"realperson-emulator/{face_model.version}"
        photo = next((p for p in (self.folder / f"{id_number.strip().upper()}{s}" for s in PHOTO_SUFFIXES)
                      if p.is_file()), None)
        if photo is None:
            return RealPersonVerdict(False, None, decided_by, "no photo on record for this ID number")
        try:
            reference = sequence.reference_embedding(face_model, photo.read_bytes())
        except (detect.NoFace, detect.ManyFaces, images.ImageRefused):
            return RealPersonVerdict(False, None, decided_by, "the photo on record holds no usable face")
        rgb = images.decode(live_jpeg)
        live = embedding(face_model, rgb, detect.one_face(face_model, rgb))
        result = compare(live, reference, threshold)
        return RealPersonVerdict(result.match, result.distance, decided_by)


class NoRealPerson(RealPersonCheck):
    name = "none"

    def available(self) -> bool:
        return False

    def compare(self, id_number: str, name: str, live_jpeg: bytes, threshold: float) -> RealPersonVerdict | None:
        return None


def real_person_from_settings(settings) -> RealPersonCheck:
    choice = settings.real_person
    if choice.startswith("emulator:"):
        return EmulatedRealPerson(Path(choice.split(":", 1)[1]))
    if choice == "none":
        return NoRealPerson()
    raise ValueError(f"unknown real-person service {choice!r}: emulator:PATH or none")
