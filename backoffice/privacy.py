"""Keyed hashes that let the back office find a person's cases without storing the ID."""
from __future__ import annotations

import hashlib
import hmac

from kiosk.domain.ids import normalize_resident_id


def applicant_lookup(key: bytes, document_number: str) -> str:
    normalized = normalize_resident_id(document_number)
    return hmac.new(key, normalized.encode(), hashlib.sha256).hexdigest()
