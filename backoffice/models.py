"""Tables. Personal data is kept to what a case needs: a keyed hash to find an applicant's
cases and a masked name to show; never the ID number in clear."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    item_code: Mapped[str] = mapped_column(String(64))
    item_name: Mapped[str] = mapped_column(String(200))
    applicant_lookup: Mapped[str] = mapped_column(String(64), index=True)
    applicant_masked: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    department: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC, naive
    promised_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="CaseEvent.at", cascade="all, delete-orphan"
    )


class CaseEvent(Base):
    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC, naive
    status: Mapped[str] = mapped_column(String(32))
    department: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="events")
