"""The sync outbox and the audit log, both written in the transaction of the change they record."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from counter_app.domain.audit_chain import GENESIS, row_digest
from counter_app.models.base import Base, UTCDateTime, utcnow


class OutboxItem(Base):
    """A change waiting to be pushed. It leaves the queue only when the server acknowledged it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    dossier_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    quarantined_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class AuditEntry(Base):
    """Who did what and when. Append-only: the database refuses UPDATE and DELETE."""

    __tablename__ = "audit_log"
    # Earlier prints of a form for a dossier (the reprint count of services.printing).
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id", "action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("clerks.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40), default="")
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    # The hash chain (domain.audit_chain), filled by the before_flush hook below: an edit made
    # outside the application breaks it, and `counter-app audit verify` names the row.
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    row_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


_LAST_AUDIT = select(AuditEntry.id, AuditEntry.row_hash).order_by(AuditEntry.id.desc()).limit(1)


def last_audit_link(executor) -> tuple[int, str]:
    """The id and digest of the newest audit row (0 and GENESIS for an empty log); `executor`
    is a Session or a Connection of the write transaction."""
    last = executor.execute(_LAST_AUDIT).first()
    return (last[0], last[1] or GENESIS) if last else (0, GENESIS)


def audit_digest(
    *,
    id: int,
    at: datetime,
    clerk_id: int | None,
    action: str,
    entity: str,
    entity_id: str,
    details: dict,
    prev_hash: str,
) -> str:
    """The chained digest of an audit row as it will be stored (`at` as its UTC text, the
    details as their JSON round trip)."""
    return row_digest(
        id=id,
        at=UTCDateTime().process_bind_param(at, None),
        clerk_id=clerk_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        details=json.loads(json.dumps(details)),
        prev_hash=prev_hash,
    )


@event.listens_for(Session, "before_flush")
def _chain_audit_rows(session: Session, _flush_context, _instances) -> None:
    """Give new audit rows their ids and chained digests, in the order they were added.

    Audit rows are written in write transactions (BEGIN IMMEDIATE): the last row read here
    cannot change before this transaction commits, so the chain never forks.
    """
    new = [o for o in session.new if isinstance(o, AuditEntry)]
    if not new:
        return
    new.sort(key=lambda o: inspect(o).insert_order)
    with session.no_autoflush:
        last_id, prev = last_audit_link(session)
    for entry in new:
        last_id += 1
        entry.id = last_id
        entry.at = entry.at or utcnow()
        entry.entity = entry.entity or ""
        entry.entity_id = entry.entity_id or ""
        entry.details = entry.details if entry.details is not None else {}
        entry.prev_hash = prev
        entry.row_hash = audit_digest(
            id=entry.id,
            at=entry.at,
            clerk_id=entry.clerk_id,
            action=entry.action,
            entity=entry.entity,
            entity_id=entry.entity_id,
            details=entry.details,
            prev_hash=prev,
        )
        prev = entry.row_hash
