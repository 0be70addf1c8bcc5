"""The procedure catalog (versioned) and the calendar overrides."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from counter_app.models.base import Base, ISODate, UTCDateTime, utcnow


class Procedure(Base):
    """One version of an administrative procedure.

    Importing a catalog again adds a new version when anything changed; a dossier points at the
    version it was received under, so its time limit and documents never change afterwards.
    """

    __tablename__ = "procedures"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    name: Mapped[str] = mapped_column(String(500))
    name_folded: Mapped[str] = mapped_column(String(500))
    sector: Mapped[str] = mapped_column(String(200), default="")
    agency: Mapped[str] = mapped_column(String(200), default="")
    duration: Mapped[dict] = mapped_column(JSON)
    fee: Mapped[int] = mapped_column(Integer, default=0)
    documents: Mapped[list] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarOverride(Base):
    """A day off the statutory calendar lacks, or a make-up working day (a Saturday worked)."""

    __tablename__ = "calendar_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(ISODate, unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "day_off" | "working_day"
    note: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
