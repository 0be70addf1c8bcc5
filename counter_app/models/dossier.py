"""Dossiers, the documents received with them, and their append-only status history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from counter_app.models.base import Base, ISODate, UTCDateTime, utcnow


class Dossier(Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_day_number", "receipt_day", "sequence_number"),
        Index("ix_dossiers_id_number", "applicant_id_number"),
        Index("ix_dossiers_phone", "applicant_phone"),
        Index("ix_dossiers_status_appointment", "status", "appointment_at"),
        Index("ix_dossiers_received_at", "received_at"),
        # The dossier's line in its station's register book (services.printing.book_position).
        Index("ix_dossiers_station_day_number", "station_number", "receipt_day", "sequence_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    receipt_day: Mapped[date] = mapped_column(ISODate)
    sequence_number: Mapped[int] = mapped_column(Integer)
    station_number: Mapped[int] = mapped_column(Integer)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))

    applicant_kind: Mapped[str] = mapped_column(String(20), default="citizen")
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_name_folded: Mapped[str] = mapped_column(String(200))
    applicant_id_type: Mapped[str] = mapped_column(String(20), default="cccd")
    applicant_id_number: Mapped[str] = mapped_column(String(20), default="")
    applicant_date_of_birth: Mapped[date | None] = mapped_column(ISODate, nullable=True)
    applicant_gender: Mapped[str] = mapped_column(String(8), default="")
    applicant_address: Mapped[str] = mapped_column(Text, default="")
    applicant_phone: Mapped[str] = mapped_column(String(20), default="")
    applicant_email: Mapped[str] = mapped_column(String(200), default="")

    sets: Mapped[int] = mapped_column(Integer, default=1)
    channel: Mapped[str] = mapped_column(String(16), default="counter")
    return_method: Mapped[str] = mapped_column(String(16), default="counter")
    fee: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    appointment_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[int] = mapped_column(Integer)
    receiving_clerk_id: Mapped[int] = mapped_column(ForeignKey("clerks.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    procedure = relationship("Procedure", lazy="joined")
    receiving_clerk = relationship("Clerk", lazy="joined")
    documents: Mapped[list[DossierDocument]] = relationship(
        back_populates="dossier", order_by="DossierDocument.position", cascade="all"
    )
    events: Mapped[list[StatusEvent]] = relationship(
        back_populates="dossier", order_by="StatusEvent.id", cascade="all"
    )


class DossierDocument(Base):
    __tablename__ = "dossier_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(500))
    originals: Mapped[int] = mapped_column(Integer, default=0)
    certified_copies: Mapped[int] = mapped_column(Integer, default=0)
    photocopies: Mapped[int] = mapped_column(Integer, default=0)
    received: Mapped[bool] = mapped_column(default=True)

    dossier: Mapped[Dossier] = relationship(back_populates="documents")


class StatusEvent(Base):
    """One transition of a dossier. Append-only: the database refuses UPDATE and DELETE."""

    __tablename__ = "status_events"
    # The statistics' pass over a period's events (services.reports), by status reached and time.
    __table_args__ = (Index("ix_status_events_to_status_at", "to_status", "at", "dossier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    from_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    to_status: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    side: Mapped[str] = mapped_column(String(10))
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("clerks.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    # The appointment after this event when it changed it (supplement received, apology).
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    dossier: Mapped[Dossier] = relationship(back_populates="events")
    clerk = relationship("Clerk", lazy="joined")
