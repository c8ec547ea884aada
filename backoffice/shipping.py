"""Results by post (统一出件, 免费邮寄): a posted case's result handed to the courier when
the window delivers it, and the courier's tracking steps kept and put on the case's
timeline. The shipment is written in the transaction that delivers the case; the courier's
order number is the case's, so a retry after a lost answer gets the same waybill back."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.county import to_cst

from .addresses import divisions
from .courier import STEPS, CourierUnavailable, Order
from .models import Case, CaseEvent, Shipment, ShipmentStep, utcnow

COUNTY = "海南省澄迈县"
STEP_NOTES = {"collected": ("邮件已揽收", "Collected by EMS"),
              "in_transit": ("邮件运输中", "In transit"),
              "out_for_delivery": ("邮件派送中", "Out for delivery"),
              "delivered": ("邮件已妥投", "Delivered")}
TRACKED_UNTIL = "delivered"


def by_post(case: Case) -> bool:
    return (case.delivery or {}).get("method") == "post"


def shipment_of(session: Session, case: Case) -> Shipment | None:
    return session.scalar(select(Shipment).where(Shipment.case_id == case.id))


def ship(session: Session, ctx, case: Case) -> Shipment:
    """The case's shipment, made through the courier if there is none yet. Raises
    CourierUnavailable when the courier could not take it: nothing is then written."""
    existing = shipment_of(session, case)
    if existing is not None:
        return existing
    address = json.loads(ctx.vault.decrypt(case.delivery_enc, "delivery-address"))
    places = divisions()
    line = (COUNTY + places.towns[address["town_code"]] + places.villages[address["village_code"]][1]
            + address["detail"])
    order_no = case.number  # one shipment per case: the courier's key for retries
    waybill = ctx.courier.create(Order(order_no, address["recipient"], address["phone"], line,
                                       f"{case.item_name}办理结果"))
    shipment = Shipment(case_id=case.id, courier=ctx.courier.name, order_no=order_no, waybill=waybill,
                        status="created", created_at=utcnow())
    session.add(shipment)
    session.flush()  # a second deliver racing this one fails here, on the unique case
    return shipment


def poll(session: Session, ctx) -> dict[str, int]:
    """Asks the courier for each undelivered shipment's steps (the supervision sweep);
    each new one is kept and noted on the case's timeline."""
    found = unreachable = 0
    for shipment in session.scalars(select(Shipment).where(Shipment.status != TRACKED_UNTIL)):
        try:
            traces = ctx.courier.traces(shipment.waybill)
        except CourierUnavailable:
            unreachable += 1
            continue
        found += record(session, shipment, traces)
    return {"shipment_steps": found, "courier_unreachable": unreachable}


def record(session: Session, shipment: Shipment, traces) -> int:
    known = {(s.step, s.at) for s in shipment.steps}
    case = session.get(Case, shipment.case_id)
    added = 0
    for trace in sorted(traces, key=lambda t: (t.at, STEPS.index(t.step))):
        if (trace.step, trace.at) in known:
            continue
        shipment.steps.append(ShipmentStep(step=trace.step, at=trace.at, place=trace.place))
        known.add((trace.step, trace.at))
        if shipment.status not in STEPS or STEPS.index(trace.step) >= STEPS.index(shipment.status):
            shipment.status = trace.step  # the furthest step, whatever order they came in
        zh, en = STEP_NOTES[trace.step]
        if case is not None:
            case.events.append(CaseEvent(at=trace.at, action="tracking", status=case.status,
                                         department=case.department_name,
                                         note=f"{zh}（EMS {shipment.waybill}）{trace.place}",
                                         note_en=f"{en} (EMS {shipment.waybill})", actor=f"courier:{shipment.courier}"))
        added += 1
    shipment.polled_at = utcnow()
    return added


def shown(shipment: Shipment | None) -> dict | None:
    """The shipment on the wire (views.case_detail)."""
    if shipment is None:
        return None
    return {"courier": shipment.courier, "waybill": shipment.waybill, "status": shipment.status,
            "created_at": to_cst(shipment.created_at).isoformat(),
            "steps": [{"step": s.step, "at": to_cst(s.at).isoformat(), "place": s.place} for s in shipment.steps]}
