"""The FastAPI application: routes for cases and health."""
from __future__ import annotations

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from . import models
from .db import Base, make_engine, make_sessionmaker
from .privacy import applicant_lookup
from .problems import install_problem_handlers
from .schemas import (
    CaseDetailOut,
    CaseListOut,
    CaseSummaryOut,
    HealthOut,
    TimelineEntryOut,
    to_cst,
)
from .settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)
    Base.metadata.create_all(engine)
    sessions = make_sessionmaker(engine)

    app = FastAPI(title="Chengmai County back office", version="0.1.0")
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    install_problem_handlers(app)

    def db(request: Request):
        with request.app.state.sessions() as session:
            yield session

    @app.get("/health", response_model=HealthOut)
    def health(session: Session = Depends(db)) -> HealthOut:
        session.execute(text("SELECT 1"))
        return HealthOut(status="ok", database=engine.dialect.name)

    @app.get("/v1/cases", response_model=CaseListOut)
    def list_cases(
        applicant: str = Query(..., min_length=6, max_length=32, description="document number"),
        session: Session = Depends(db),
    ) -> CaseListOut:
        lookup = applicant_lookup(settings.lookup_key, applicant)
        rows = session.scalars(
            select(models.Case)
            .where(models.Case.applicant_lookup == lookup)
            .order_by(models.Case.received_at.desc())
        ).all()
        return CaseListOut(cases=[_summary(c) for c in rows])

    @app.get("/v1/cases/{number}", response_model=CaseDetailOut)
    def get_case(number: str, session: Session = Depends(db)) -> CaseDetailOut:
        case = session.scalar(
            select(models.Case)
            .where(models.Case.number == number)
            .options(selectinload(models.Case.events))
        )
        if case is None:
            raise HTTPException(404, f"no case numbered {number}")
        return CaseDetailOut(
            **_summary(case).model_dump(),
            applicant_masked=case.applicant_masked,
            timeline=[
                TimelineEntryOut(
                    at=to_cst(e.at), status=e.status, department=e.department, note=e.note
                )
                for e in case.events
            ],
        )

    return app


def _summary(case: models.Case) -> CaseSummaryOut:
    return CaseSummaryOut(
        number=case.number,
        item_code=case.item_code,
        item_name=case.item_name,
        status=case.status,
        department=case.department,
        received_at=to_cst(case.received_at),
        promised_date=case.promised_date,
    )
