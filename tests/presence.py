"""A citizen's presence grant for tests that read their data as a kiosk does: the code the
demo back office texted to the phone on file (its recording phone), typed back."""
from __future__ import annotations

import uuid
from pathlib import Path

from kiosk.demo import latest_code
from services.api import BackofficeClient

ZHAO = {"name": "赵丽", "document_number": "469023199003070020", "phone": "13512345678"}  # no case: a typed number


def confirm(api: BackofficeClient, phone_inbox: Path, id_number: str, name: str = "", phone: str = "") -> str:
    ref = uuid.uuid4().hex
    sent = api.request_code(ref, id_number, name, "zh_CN", phone=phone)
    return api.redeem_code(ref, sent["challenge"], latest_code(phone_inbox))["grant"]


class CitizensClient:
    """The kiosk's client reading one citizen's data under their grant, for tests that check
    what the back office holds for them."""

    def __init__(self, api: BackofficeClient, grant: str):
        self.api, self.grant = api, grant

    def list_cases(self, id_number: str):
        return self.api.list_cases(id_number, grant=self.grant)

    def get_case(self, number: str):
        return self.api.get_case(number, grant=self.grant)

    def receipt(self, number: str):
        return self.api.receipt(number, grant=self.grant)
