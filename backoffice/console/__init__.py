"""The staff console: the county's staff work cases in a browser, served by the back office
under /console/.

Built as server-rendered Jinja2 pages with a few htmx parts (htmx is vendored in static/,
served by the back office itself): a county intranet's PCs run older browsers, reach no CDN,
and the project has no JavaScript build step to keep; each page is whole HTML that works with
scripts off, htmx only swaps parts of it (the materials viewer's pages). Every page decides
access through backoffice.auth (the roles, the same rule as the API's routes) and
backoffice.cases.may_open (which cases a staff member may open).

This first slice: sign-in and sign-out, the clerk's queue (综合受理), a case with its form
answers, materials, 容缺 commitments and timeline, and the materials viewer (decrypted on
demand, watermarked, every view audited); the supervisor's dashboard and the fleet; the
administrator's pages (admin.py, admin_data.py). The rest of issue 18 is to come.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"


def install(app: FastAPI) -> None:
    from . import admin, admin_data, applicant, evidence, fleet, pages, rectifications, routes, supervision

    pages.install_handlers(app)
    app.include_router(routes.router)
    app.include_router(applicant.router)
    app.include_router(evidence.router)
    app.include_router(supervision.router)
    app.include_router(rectifications.router)
    app.include_router(fleet.router)
    app.include_router(admin.router)
    app.include_router(admin_data.router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
