"""The central server's tables (PostgreSQL in production; SQLite only for a one-machine demo)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCTimestamp(TypeDecorator[datetime]):
    """timestamptz on PostgreSQL; always an aware UTC datetime in Python (SQLite too)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timestamp column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Json = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp, default=utcnow)


class EnrollmentCode(Base):
    """A one-time code (stored hashed) that a counter exchanges for its device token."""

    __tablename__ = "enrollment_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    station: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    used_at: Mapped[datetime | None] = mapped_column(UTCTimestamp, nullable=True)


class Device(Base):
    """An enrolled counter PC: its token (hashed) is bound to one unit and one station."""

    __tablename__ = "devices"
    __table_args__ = (Index("ix_devices_unit_station", "unit_id", "station"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    station: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200), default="")
    enrolled_at: Mapped[datetime] = mapped_column(UTCTimestamp, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCTimestamp, nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCTimestamp, nullable=True)
    counter_version: Mapped[str] = mapped_column(String(40), default="")


class Dossier(Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_unit_station_day", "unit_id", "station", "receipt_day"),
        Index("ix_dossiers_unit_status", "unit_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    station: Mapped[int] = mapped_column(Integer)
    receipt_day: Mapped[date] = mapped_column()
    procedure_code: Mapped[str] = mapped_column(String(40))
    procedure_name: Mapped[str] = mapped_column(Text)
    status: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    appointment_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    returned_at: Mapped[datetime | None] = mapped_column(UTCTimestamp, nullable=True)
    # The whole registration as the counter sent it (personal data: never served publicly).
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCTimestamp, default=utcnow)


class StatusEvent(Base):
    """Append-only history. `applied` false: kept but superseded by a concurrent change."""

    __tablename__ = "status_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    from_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    to_status: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    side: Mapped[str] = mapped_column(String(10))
    clerk: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCTimestamp)
    reason: Mapped[str] = mapped_column(Text, default="")
    appointment_at: Mapped[datetime | None] = mapped_column(UTCTimestamp, nullable=True)
    applied: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCTimestamp, default=utcnow)


class Rating(Base):
    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    level: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCTimestamp)
    clerk: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ReceivedItem(Base):
    """Every pushed item once, with the answer given: a retried batch gets the same answer."""

    __tablename__ = "received_items"
    # Per unit: another unit's token can neither see nor pre-empt this unit's answers.
    __table_args__ = (UniqueConstraint("unit_id", "uuid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    content_sha256: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(10))  # accepted | rejected
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    applied: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Kept for rejected items (quarantine), so an operator can look at what was refused.
    payload: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCTimestamp, default=utcnow)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    received_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCTimestamp, nullable=True)


class AttachmentChunk(Base):
    """Attachment bytes in the database: any server process can continue any upload."""

    __tablename__ = "attachment_chunks"
    __table_args__ = (UniqueConstraint("attachment_id", "offset"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"))
    offset: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Clerk(Base):
    __tablename__ = "clerks"
    __table_args__ = (UniqueConstraint("unit_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    username: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="clerk")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Change(Base):
    """The change feed. `seq` comes from ChangeCounter inside the writing transaction, whose
    row lock makes commits happen in seq order: a reader never skips a late-committing change.
    `unit_id` NULL means a change for every counter (catalog, calendar)."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_unit_seq", "unit_id", "seq"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp, default=utcnow)


class ChangeCounter(Base):
    __tablename__ = "change_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class CatalogProcedure(Base):
    """The province catalog as imported on the server (versions added, never rewritten)."""

    __tablename__ = "catalog_procedures"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    content: Mapped[dict[str, Any]] = mapped_column(Json)
    imported_at: Mapped[datetime] = mapped_column(UTCTimestamp, default=utcnow)


class CalendarDay(Base):
    __tablename__ = "calendar_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    imported_at: Mapped[datetime] = mapped_column(UTCTimestamp, default=utcnow)
