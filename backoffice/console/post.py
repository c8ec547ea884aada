"""The case page's result delivery: how the result reaches the applicant and, by post, the
address masked (in full only through the applicant's audited showing, applicant.py), the
waybill and each tracking step the courier reported (shipping.py)."""
from __future__ import annotations

import json

from sqlalchemy.orm import Session

from domain.county import to_cst

from .. import shipping
from ..addresses import divisions
from ..db import read_phase
from ..models import Case
from . import i18n

METHODS = {"window": i18n.N_("Collect at the service window"), "post": i18n.N_("Free postal delivery (EMS)"),
           "kiosk": i18n.N_("Print at a self-service kiosk"), "electronic": i18n.N_("Electronic licence on the phone")}
STEPS = {"created": i18n.N_("Handed to the courier"), "collected": i18n.N_("Collected"),
         "in_transit": i18n.N_("In transit"), "out_for_delivery": i18n.N_("Out for delivery"),
         "delivered": i18n.N_("Delivered to the recipient")}


def delivery_of(session: Session, case: Case, _) -> dict | None:
    """What the case page shows of the delivery; None when the application did not say."""
    if not case.delivery:
        return None
    method = case.delivery.get("method", "")
    shown = {"method": _(METHODS.get(method, method)), "by_post": method == "post",
             "address": case.delivery.get("address_masked", ""), "recipient": case.delivery.get("recipient_masked", ""),
             "phone": case.delivery.get("phone_masked", ""), "waybill": "", "status": "", "steps": []}
    if method == "post":
        with read_phase(session):
            shipment = shipping.shipment_of(session, case)
        if shipment is not None:
            shown.update(waybill=shipment.waybill, status=_(STEPS.get(shipment.status, shipment.status)),
                         steps=[{"at": to_cst(s.at).strftime("%Y-%m-%d %H:%M"), "step": _(STEPS[s.step]),
                                 "place": s.place} for s in shipment.steps])
    return shown


def full_address(vault, case: Case) -> str:
    """The postal address in full, for the applicant's audited showing: "" unless by post."""
    if not case.delivery_enc:
        return ""
    address = json.loads(vault.decrypt(case.delivery_enc, "delivery-address"))
    places = divisions()
    return (f"{places.towns.get(address['town_code'], '')}{places.villages.get(address['village_code'], ('', ''))[1]}"
            f"{address['detail']} {address['recipient']} {address['phone']}")
