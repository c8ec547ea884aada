"""A certificate or e-licence (电子证照) printed on A4, with the verification QR code."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from ..redact import redact
from .pdf import QrFlowable, Translate, build, field_table, para, stamp, styles


@dataclass(frozen=True)
class Certificate:
    title: str  # e.g. 营业执照, 不动产权证书
    licence_id: str  # GB/T 36904 identifier
    holder: str  # the licensed party as the issuer recorded it (a company, or a masked person)
    issuer: str
    issued_on: dt.date
    fields: tuple[tuple[str, str], ...] = ()  # the licence's own items, in its order
    valid_until: dt.date | None = None  # None: long-term
    verify_payload: str = ""  # what the QR carries; defaults to the licence identifier


def certificate_pdf(cert: Certificate, out: Path, terminal_id: str, now: dt.datetime,
                    _: Translate) -> Path:
    st = styles()
    rows = [(_("Licence identifier"), cert.licence_id), (_("Holder"), redact(cert.holder))]
    rows += [(label, redact(value)) for label, value in cert.fields]
    rows += [
        (_("Issued by"), cert.issuer),
        (_("Issued on"), cert.issued_on.isoformat()),
        (_("Valid until"), cert.valid_until.isoformat() if cert.valid_until else _("Long-term")),
    ]
    story = [
        para(cert.title, st["title"]),
        para(_("Printed copy of an electronic licence"), st["subtitle"]),
        field_table(rows, st),
        Spacer(1, 10 * mm),
        QrFlowable(cert.verify_payload or cert.licence_id),
        Spacer(1, 3 * mm),
        para(_("Scan to verify this licence with the issuing authority"), st["center"]),
        para(_("Electronic licences have the same legal effect as paper ones"), st["center"]),
    ]
    footer = f"{_('Chengmai County Government Affairs Service Center')}  {_('Terminal')} {terminal_id}  {stamp(now)}"
    return build(out, cert.title, story, footer)
