"""The staff console: the county's staff work cases in a browser, served by the back office
under /console/.

Built as server-rendered Jinja2 pages with a few htmx parts (htmx is vendored in static/,
served by the back office itself): a county intranet's PCs run older browsers, reach no CDN,
and the project has no JavaScript build step to keep; each page is whole HTML that works with
scripts off, htmx only swaps parts of it. Every page decides access through backoffice.auth
(the roles, the same rule as the API's routes) and backoffice.cases.may_open (which cases a
staff member may open), and changes go through the functions the API's routes call, so the
audit records are the same whichever way staff went.

The rooms: sign_in (sessions, language, idle sign-out with pages.py and session.py),
queues, case_page with decisions, supplement, applicant (shown in full on request), evidence
(e-licences and shared data), post (delivery) and materials (the viewer, the printed
e-licence); supervision and rectifications (统一督办); fleet; admin and admin_data.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"


def install(app: FastAPI) -> None:
    from . import (
        admin,
        admin_data,
        applicant,
        case_page,
        decisions,
        evidence,
        fleet,
        materials,
        pages,
        queues,
        rectifications,
        sign_in,
        supervision,
        supplement,
    )

    pages.install_handlers(app)
    for module in (sign_in, queues, case_page, decisions, supplement, applicant, evidence, materials, supervision,
                   rectifications, fleet, admin, admin_data):
        app.include_router(module.router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
