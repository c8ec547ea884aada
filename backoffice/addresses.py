"""Chengmai's towns and their villages and communities, for results by post: the National
Bureau of Statistics' 12-digit division codes (统计用区划代码) as shipped in
assets/seed/chengmai_divisions.json (scripts/build_address_seed.py says from where), and
the check of a postal address a submission carries."""
from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from domain.ids import is_mobile_number, mask_address, mask_name, mask_phone

from .settings import REPO_ROOT

SEED = REPO_ROOT / "assets" / "seed" / "chengmai_divisions.json"
DETAIL_CHARS = (2, 60)  # the street, house and room after the village: what a courier needs
RECIPIENT_CHARS = (1, 30)


@dataclass(frozen=True)
class Divisions:
    body: dict  # the seed as published to kiosks
    etag: str
    towns: dict[str, str]  # code -> name
    villages: dict[str, tuple[str, str]]  # code -> (town code, name)


@functools.lru_cache(maxsize=1)
def divisions(path: Path = SEED) -> Divisions:
    raw = path.read_bytes()
    body = json.loads(raw)
    towns = {t["code"]: t["name"] for t in body["towns"]}
    villages = {v["code"]: (t["code"], v["name"]) for t in body["towns"] for v in t["villages"]}
    return Divisions(body, '"' + hashlib.sha256(raw).hexdigest()[:32] + '"', towns, villages)


@dataclass(frozen=True)
class PostalAddress:
    town_code: str
    village_code: str
    detail: str
    recipient: str
    phone: str

    def private(self) -> dict:
        """What is stored encrypted: the whole address, for the courier's waybill."""
        return {"town_code": self.town_code, "village_code": self.village_code, "detail": self.detail,
                "recipient": self.recipient, "phone": self.phone}

    def shown(self) -> dict:
        """What may be shown: the town and village named, the rest masked."""
        places = divisions()
        return {"method": "post", "town_code": self.town_code, "village_code": self.village_code,
                "address_masked": mask_address(places.towns[self.town_code], places.villages[self.village_code][1]),
                "recipient_masked": mask_name(self.recipient), "phone_masked": mask_phone(self.phone)}


def check_postal_address(given: dict, problems: list[dict]) -> PostalAddress | None:
    """The address of a result sent by post, or None with every problem added (一次性告知)."""
    places = divisions()
    town, village = str(given.get("town_code", "")).strip(), str(given.get("village_code", "")).strip()
    detail, recipient = str(given.get("detail", "")).strip(), str(given.get("recipient", "")).strip()
    phone = str(given.get("phone", "")).strip()
    found = len(problems)
    if town not in places.towns:
        problems.append({"field": "delivery.town_code", "problem": "not a town of Chengmai County"})
    if village not in places.villages:
        problems.append({"field": "delivery.village_code", "problem": "not a village or community of Chengmai County"})
    elif town in places.towns and places.villages[village][0] != town:
        problems.append({"field": "delivery.village_code", "problem": "not in the town given"})
    if not DETAIL_CHARS[0] <= len(detail) <= DETAIL_CHARS[1]:
        problems.append({"field": "delivery.detail",
                         "problem": f"the street, house and room: {DETAIL_CHARS[0]} to {DETAIL_CHARS[1]} characters"})
    if not RECIPIENT_CHARS[0] <= len(recipient) <= RECIPIENT_CHARS[1]:
        problems.append({"field": "delivery.recipient",
                         "problem": f"the recipient's name: {RECIPIENT_CHARS[0]} to {RECIPIENT_CHARS[1]} characters"})
    if not is_mobile_number(phone):
        problems.append({"field": "delivery.phone", "problem": "an 11-digit mobile number is required"})
    if len(problems) > found:
        return None
    return PostalAddress(town, village, detail, recipient, phone)
