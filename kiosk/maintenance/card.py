"""Maintenance card allowlist: a card is recognised by its contactless UID, which the
PC/SC "GET DATA" pseudo-APDU returns whatever the card's ATR or application.

The allowlist holds salted scrypt hashes (`[maintenance] card_hashes` in kiosk.toml), so
a copied configuration does not give away which UIDs to clone. A UID is an identifier,
not a proof: cards with a writable UID exist, so the card should open maintenance mode
only together with the PIN, or be replaced by a card that answers a challenge.
"""
from __future__ import annotations

import logging
from typing import Iterable

from devices.idcard.facade import UID_LENGTHS  # the PC/SC reader reads the UID (GET DATA)
from kiosk.maintenance.hashing import hash_secret, verify_secret

RANDOM_UID_FIRST_BYTE = 0x08  # a 4-byte UID starting 08h is drawn anew at each activation

log = logging.getLogger(__name__)


def hash_card_uid(uid: bytes) -> str:
    """An allowlist entry for a card; refuses UIDs that cannot identify a card."""
    if len(uid) not in UID_LENGTHS:
        raise ValueError(f"a card UID has 4, 7 or 10 bytes, not {len(uid)}")
    if len(uid) == 4 and uid[0] == RANDOM_UID_FIRST_BYTE:
        raise ValueError("this card shows a random UID at each touch; it cannot be enrolled")
    return hash_secret(uid)


def card_allowed(uid: bytes, allowlist: Iterable[str]) -> bool:
    """True when the UID matches an entry. Every entry is checked (no early exit), so the
    time taken does not tell which entry matched; malformed entries never match."""
    allowed = False
    for entry in allowlist:
        try:
            allowed |= verify_secret(uid, entry)
        except ValueError:
            log.error("maintenance: a card_hashes entry is not a $scrypt$ hash; ignored")
    return allowed


def allowlist_from_config(section: dict) -> list[str]:
    """`card_hashes` as a TOML list, or as one string of entries separated by spaces (an
    environment override; not commas, which the hash strings contain)."""
    value = section.get("card_hashes", [])
    if isinstance(value, str):
        value = value.split()
    return [str(entry) for entry in value if str(entry).strip()]
