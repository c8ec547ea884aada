"""The FastAPI application: wiring of settings, database, security and routes."""
from __future__ import annotations

import contextlib
import functools
import ipaddress
import os
import time

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from sqlalchemy import text
from sqlalchemy.orm import Session

from . import console, notices
from .alert_delivery import channel_from_settings, deliver_pending
from .auth import get_db
from .body_limits import BodyLimit
from .carrier_check import carrier_check_from_settings
from .courier import courier_from_settings
from .db import make_engine, make_sessionmaker
from .face.realperson import real_person_from_settings
from .gc_policy import freeze_startup
from .logging_setup import configure_logging
from .metrics import MULTIPROCESS_DIR, StateCollector
from .migrations_runner import current_revision, head_revision
from .openapi_docs import answers, document_problems
from .poller import Poller
from .problems import install_problem_handlers
from .reference_cache import ReferenceCache
from .routes import (
    addresses,
    admin,
    appointments,
    cases,
    catalogue,
    licences,
    presence,
    ratings,
    releases,
    supervision,
    terminal_diagnostics,
    terminals,
)
from .routes.deps import refuse_nul_characters
from .schemas.office import HealthOut, ReadyOut
from .security.crypto import Vault
from .security.qr import QrSigner
from .settings import Settings
from .sms.gateway import QuietHours, SmsGateway
from .sms.providers import provider_from_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url, background_checkpoints=True)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        freeze_startup()  # before the first request: what exists now lives as long as the process
        channel = channel_from_settings(settings)
        pollers = [Poller("sms-sender", app.state.sessions, app.state.sms.deliver_due, settings.sms_poll_s).start()]
        if channel is not None:
            alerts = functools.partial(deliver_pending, channel=channel)
            pollers.append(Poller("alert-notifier", app.state.sessions, alerts, settings.alert_poll_s).start())
        try:
            yield
        finally:
            for poller in pollers:
                poller.stop()

    # No /docs or /redoc: their pages load scripts from a CDN, which a county network does
    # not reach and should not trust; /openapi.json is the document.
    app = FastAPI(title="Chengmai County back office", version="0.2.0", docs_url=None, redoc_url=None,
                  description="Back half of the one-window reform: "
                              "后台分类审批、按责转办、限时办结、统一督办、评价反馈.",
                  dependencies=[Depends(refuse_nul_characters)], lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine, settings.audit_key)
    app.state.vault = Vault(settings.data_key, settings.lookup_key)
    app.state.signer = QrSigner(settings.signing_seed, settings.signing_seeds_retired)
    app.state.sms = SmsGateway(provider_from_settings(settings), app.state.vault,
                               QuietHours.parse(settings.sms_quiet_hours), on_sent=notices.on_sent)
    app.state.carrier_check = carrier_check_from_settings(settings)
    app.state.courier = courier_from_settings(settings)
    app.state.real_person = real_person_from_settings(settings)
    app.state.reference = ReferenceCache()  # the catalogue and calendar, per version
    install_problem_handlers(app)
    app.add_middleware(BodyLimit)  # inside the metrics: refused bodies are counted too
    _install_metrics(app)

    # Routes are matched in this order, one by one: the fleet's heartbeats, most of all
    # requests, are matched first (no other router's paths are under /v1/terminals).
    for module in (terminals, catalogue, cases, ratings, supervision, licences, appointments, terminal_diagnostics,
                   releases, admin, presence, addresses):
        document_problems(module.router)
        app.include_router(module.router)

    @app.get("/health", tags=["system"], responses=answers(HealthOut))
    def health(session: Session = Depends(get_db)):
        session.execute(text("SELECT 1"))
        return {"status": "ok", "database": engine.dialect.name}

    @app.get("/ready", tags=["system"], responses={**answers(ReadyOut), 503: {
        "description": "The database does not answer or is not at the latest migration",
        "content": {"application/json": {"schema": {"type": "object", "required": ["ready"]}}}}})
    def ready():
        """Ready when the database answers and its schema is at the latest migration."""
        try:
            current = current_revision(engine)
        except Exception as exc:  # the database is unreachable or not migrated
            return JSONResponse({"ready": False, "reason": type(exc).__name__}, status_code=503)
        head = head_revision()
        ok = current == head
        return JSONResponse({"ready": ok, "revision": current, "head": head}, status_code=200 if ok else 503)

    document_problems(app.router)
    console.install(app)  # the staff console's pages, under /console/ (not in /openapi.json)
    return app


def worker_app() -> FastAPI:
    """One worker process of `kiosk-backoffice serve --workers N` (uvicorn's app factory):
    its settings from the environment the command set, its logs as the command's own."""
    configure_logging()
    return create_app()


def _install_metrics(app: FastAPI) -> None:
    registry = CollectorRegistry()
    # Several worker processes (`serve --workers`) count into files of a folder the command
    # made for them, and a scrape, answered by any one worker, sums them all.
    shared = bool(os.environ.get(MULTIPROCESS_DIR))
    if shared:
        multiprocess.MultiProcessCollector(registry)
    own = None if shared else registry
    requests = Counter("backoffice_requests", "HTTP requests", ["method", "route", "status"], registry=own)
    latency = Histogram("backoffice_request_seconds", "HTTP request latency", ["method", "route"], registry=own,
                        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5))
    app.add_middleware(MetricsMiddleware, requests=requests, latency=latency)
    registry.register(StateCollector(app.state.sessions, app.state.settings))

    allowed = [ipaddress.ip_network(n, strict=False) for n in app.state.settings.metrics_from]

    @app.get("/metrics", tags=["system"], include_in_schema=False)
    def metrics(request: Request):
        """For the internal network's monitoring only (Settings.metrics_from): fleet and case
        counts are not for anyone who can reach the API."""
        client = ipaddress.ip_address(request.client.host) if request.client else None
        if client is None or not any(client in network for network in allowed):
            raise HTTPException(404)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Counts and times every request. A plain ASGI middleware: Starlette's
    BaseHTTPMiddleware (@app.middleware) wraps each response in a streamed copy and was a
    large share of the server's CPU per request under the terminal fleet's load."""

    def __init__(self, app, requests: Counter, latency: Histogram):
        self.app, self.requests, self.latency = app, requests, latency

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500  # an exception before the response started

        async def send_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")  # the template, never the concrete path (IDs)
            self.latency.labels(scope["method"], path).observe(time.perf_counter() - started)
            self.requests.labels(scope["method"], path, str(status)).inc()
