"""The demo simulator: what a person at the demo panel (or a key, or the tour) can do to a
kiosk with no hardware — insert and remove demo people's cards, present demo QR codes
(a receipt's tracking code, an appointment), choose what the face camera films, run the
receipt printer out of paper, and cut the network; and the demo people's phone, which shows
the texts the demo back office sends (the one-time codes to type). Every action goes
through the same paths a real kiosk uses."""
from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import uuid
from pathlib import Path

from domain.county import CST

log = logging.getLogger(__name__)
DEMO_RECEIPT_CASE = "469023-0003"
DEMO_RECEIPT_HOLDER = "wang"  # the demo person whose receipt that is
DEMO_APPOINTMENT_ITEM = "469023-XK-SCJG-0002"


@functools.cache
def _adapters() -> tuple[type, type]:
    """(a cut cable, a working connection) as requests adapters, made when the network is
    first cut: the kiosk's start does not import requests."""
    import requests
    from requests.adapters import HTTPAdapter

    class CutCable(HTTPAdapter):
        """Every request fails as if the network cable were pulled."""

        def send(self, request, **kwargs):
            raise requests.ConnectionError("network cut (demo)")

    return CutCable, HTTPAdapter


def phone_texts(inbox: Path) -> list[dict]:
    """The texts on the demo's phone, oldest first: {phone, template, params, text, at}."""
    try:
        lines = Path(inbox).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    texts = []
    for line in lines:
        try:
            texts.append(json.loads(line))
        except ValueError:  # a line being written
            continue
    return texts


def latest_code(inbox: Path) -> str:
    """The newest one-time code on the demo's phone, or ""."""
    codes = [t["params"]["code"] for t in phone_texts(inbox) if t.get("template") == "presence_code"]
    return codes[-1] if codes else ""


# The demo's e-licence issuer: a valid unified social credit code of the county licence hub.
DEMO_LICENCE_ISSUER = "11469023MB12345676"


class DemoLicenceLibrary:
    """Stands in for the provincial e-licence library in the demo: every demo applicant
    holds a licence of every type asked for, under the demo issuer."""

    def __init__(self):
        self._issued: dict[tuple[str, str], str] = {}

    def licence_for(self, document_number: str, type_code: str) -> str:
        from domain.ids import make_licence_id

        key = (document_number, type_code)
        if key not in self._issued:
            self._issued[key] = make_licence_id(type_code, DEMO_LICENCE_ISSUER, f"2024{len(self._issued) + 1:07d}", 1)
        return self._issued[key]


class DemoSimulator:
    def __init__(self, devices, controller, phone_inbox: Path | None = None):
        self.devices = devices
        self.controller = controller
        self.phone_inbox = phone_inbox
        self._phone_seen: tuple[int, int] | None = None
        self._latest_text: dict | None = None
        self.codes: dict[str, str] = {}  # "receipt" / "appointment" -> a signed QR text
        self.network_cut = False
        self.card_holder = ""  # the demo person whose card was inserted last: the one at the glass

    # --- cards -------------------------------------------------------------------------
    def insert_card(self, person_key: str) -> None:
        """The person's card in the reader, and the person in front of the face camera."""
        self.devices.idcard_sim.insert(person_key)
        self.card_holder = person_key
        self.show_face(f"person:{person_key}")

    def remove_card(self) -> None:
        self.devices.idcard_sim.remove()

    # --- QR codes ----------------------------------------------------------------------
    def prepare_codes(self) -> dict[str, str]:
        """Fetch a demo receipt's tracking code and book a demo appointment (worker thread)."""
        api = self.controller.api
        people = self.devices.idcard_sim.people if self.devices.idcard_sim else {}
        codes = {"receipt": self._receipt_token(api, people[DEMO_RECEIPT_HOLDER])}
        person = next(iter(people.values()), None)
        if person is not None:
            slot = (dt.datetime.now(CST) + dt.timedelta(minutes=20)).replace(second=0, microsecond=0)
            booked = api._post_json("/v1/appointments", {
                "item_code": DEMO_APPOINTMENT_ITEM, "slot_start": slot.isoformat(),
                "applicant": {"document_number": person.document_number, "name": person.name}},
                idempotency_key=f"demo-appointment-{uuid.uuid4().hex}")
            codes["appointment"] = booked["token"]
        self.codes = codes
        return codes

    def _receipt_token(self, api, holder) -> str:
        """The tracking code printed on the demo holder's receipt, read as the holder would
        at a kiosk: a code texted to their phone buys the grant that opens the case."""
        ref = f"demo-{uuid.uuid4().hex[:12]}"
        sent = api.request_code(ref, holder.document_number, holder.name, "zh_CN")
        grant = api.redeem_code(ref, sent["challenge"], latest_code(self.phone_inbox))["grant"]
        try:
            return api.get_case(DEMO_RECEIPT_CASE, grant=grant).tracking_token
        finally:
            api.end_grant(grant, "finish")

    def latest_text(self) -> dict | None:
        """The newest text on the demo phone: {template, params, text} (the demo panel asks
        twice a second: the file is read again only when it changed)."""
        try:
            stat = self.phone_inbox.stat() if self.phone_inbox is not None else None
        except OSError:
            stat = None
        seen = (stat.st_mtime_ns, stat.st_size) if stat is not None else None
        if seen != self._phone_seen:
            texts = phone_texts(self.phone_inbox) if stat is not None else []
            self._phone_seen, self._latest_text = seen, (texts[-1] if texts else None)
        return self._latest_text

    def scan(self, which: str) -> bool:
        code = self.codes.get(which)
        if not code or self.devices.scanner is None:
            return False
        self.devices.scanner.backend.scan(code)
        return True

    # --- face camera ---------------------------------------------------------------------
    def face_scenes(self) -> list[str]:
        """What the simulated face camera can be made to film (devices/face/scene.py): each
        demo person live or turning their head, a photo of them held up, two people, nobody."""
        from devices.face.scene import demo_scenes

        face = getattr(self.devices, "face", None)
        if face is None or face.player is None:
            return []
        return demo_scenes(list(self.devices.idcard_sim.people) if self.devices.idcard_sim else [])

    def show_face(self, scene: str) -> bool:
        """The simulated face camera films `scene` from now on (a name face_scenes gave)."""
        face = getattr(self.devices, "face", None)
        if face is None or face.player is None:
            return False
        face.player.show(scene)
        return True

    def film(self, who: str) -> bool:
        """The demo panel's camera buttons: "holder" (the card holder at the glass), "photo"
        (their photo held up), "screen" (a tablet held up playing their video, in which they
        do as asked), "someone_else" (another demo person), "nobody"."""
        people = list(self.devices.idcard_sim.people) if self.devices.idcard_sim else []
        holder = self.card_holder or (people[0] if people else "")
        others = [key for key in people if key != holder]
        scenes = {"holder": f"person:{holder}", "photo": f"photo:{holder}", "screen": f"screen:{holder}",
                  "someone_else": f"person:{others[0]}" if others else "nobody", "nobody": "nobody"}
        if who not in scenes or (who != "nobody" and not holder):
            return False
        return self.show_face(scenes[who])

    # --- printer paper -------------------------------------------------------------------
    @property
    def paper_out(self) -> bool:
        emulator = self.devices.printer_emulator
        return bool(emulator and emulator.paper_out)

    def toggle_paper(self) -> bool:
        """Run the emulated printer out of paper, or load a new roll. Returns paper_out."""
        emulator = self.devices.printer_emulator
        if emulator is None:
            return False
        if emulator.paper_out or emulator.paper_left is not None:
            emulator.load_paper()
        else:
            emulator.run_out_after(0)
            emulator.paper_out = True
        return emulator.paper_out

    # --- network -------------------------------------------------------------------------
    def toggle_network(self) -> bool:
        """Cut or restore the kiosk's connection to the back office. Returns network_cut."""
        http = self.controller.api._http
        self.network_cut = not self.network_cut
        cut_cable, working = _adapters()
        adapter = cut_cable() if self.network_cut else working()
        http.mount("http://", adapter)
        http.mount("https://", adapter)
        log.info("demo network", extra={"cut": self.network_cut})
        if not self.network_cut and getattr(self.controller, "outbox_sender", None) is not None:
            self.controller.outbox_sender.nudge()  # what was kept meanwhile goes now
        return self.network_cut
