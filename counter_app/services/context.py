"""What every use case needs: the database, the clock, and the office's working calendar."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from counter_app.domain.calendar import CalendarOverrides, OfficeHours, WorkCalendar
from counter_app.domain.errors import NotAllowed, NotFound
from counter_app.domain.office_time import now_office
from counter_app.models import (
    AuditEntry,
    CalendarOverride,
    Clerk,
    OutboxItem,
    Setting,
    Station,
    Unit,
)
from counter_app.models.database import Database
from counter_app.models.journal import audit_digest, last_audit_link


def new_uuid() -> str:
    return str(uuid.uuid4())


@dataclass
class Office:
    """The configured unit and station, detached from any session."""

    unit_code: str
    unit_name: str
    governing_agency: str
    place: str
    station_number: int


@dataclass
class Context:
    db: Database
    data_dir: Path
    clock: Callable[[], datetime] = now_office
    _calendar: WorkCalendar | None = field(default=None, repr=False)

    def now(self) -> datetime:
        return self.clock()

    # The calendar is built once per process: holidays take ~35 ms a year to compute.
    def work_calendar(self) -> WorkCalendar:
        if self._calendar is None:
            with self.db.read() as session:
                hours_data = get_setting(session, "office_hours")
                hours = OfficeHours.from_dict(hours_data) if hours_data else OfficeHours.default()
                rows = session.scalars(select(CalendarOverride)).all()
            overrides = CalendarOverrides(
                days_off=frozenset(r.day for r in rows if r.kind == "day_off"),
                working_days=frozenset(r.day for r in rows if r.kind == "working_day"),
            )
            self._calendar = WorkCalendar(hours, overrides)
        return self._calendar

    def invalidate_calendar(self) -> None:
        self._calendar = None


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return default if row is None else json.loads(row.value)


def put_setting(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    text = json.dumps(value, ensure_ascii=False)
    if row is None:
        session.add(Setting(key=key, value=text))
    else:
        row.value = text


_UNIT = select(Unit.code, Unit.name, Unit.governing_agency, Unit.place)
_STATION = select(Station.number)


def load_office(session: Session) -> Office:
    # Plain rows through the session's connection: no ORM objects to build (registration).
    connection = session.connection()
    unit = connection.execute(_UNIT).first()
    station = connection.execute(_STATION).first()
    if unit is None or station is None:
        raise NotAllowed(
            "Máy chưa được thiết lập đơn vị. Chạy «counter-app setup --unit-code MÃ "
            "--unit-name TÊN --station SỐ» hoặc mở cửa sổ Thiết lập."
        )
    return Office(*unit, station[0])


def _acting_queries(*what) -> tuple:
    """The acting clerk's row, by username or the first administrator (built once)."""
    query = select(*what).where(Clerk.active)
    return (
        query.where(Clerk.username == bindparam("username")),
        query.order_by(Clerk.role != "admin", Clerk.id),
    )


_CLERK = _acting_queries(Clerk)
_CLERK_ID = _acting_queries(Clerk.id, Clerk.username)


def _acting(executor, queries: tuple, username: str | None):
    """The first row of the acting clerk; `executor`: a Session or a Connection."""
    by_name, first_admin = queries
    if username:
        row = executor.execute(by_name, {"username": username}).first()
        if row is None:
            raise NotFound(f"Không có cán bộ đang hoạt động với tên đăng nhập «{username}».")
        return row
    row = executor.execute(first_admin).first()
    if row is None:
        raise NotAllowed("Chưa có cán bộ nào; hãy thiết lập đơn vị trước (counter-app setup).")
    return row


def load_clerk(session: Session, username: str | None) -> Clerk:
    """The clerk acting: the named one, or the first administrator."""
    return _acting(session, _CLERK, username)[0]


def acting_clerk_id(session: Session, username: str | None) -> tuple[int, str]:
    """load_clerk's clerk as (id, username), read without building an ORM object."""
    id_, name = _acting(session.connection(), _CLERK_ID, username)
    return id_, name


def _outbox_uuid(payload: dict) -> str:
    # The row is named after what it carries (its dossier, event, rating or attachment):
    # the push may then leave the row's uuid out (protocol.PushItem).
    carried = payload.get("uuid")
    return carried if isinstance(carried, str) and carried else new_uuid()


_AUDIT_INSERT = AuditEntry.__table__.insert()
_OUTBOX_INSERT = OutboxItem.__table__.insert()


def record(
    session: Session,
    now: datetime,
    *,
    clerk_id: int | None,
    action: str,
    entity: str = "",
    entity_id: str = "",
    details: dict | None = None,
    outbox: tuple[str, str | None, dict] | None = None,
) -> None:
    """Write the audit row, and the outbox row when the change must reach the server.

    Two INSERTs on the transaction's connection, not through the unit of work: the audit row is
    chained by the same function as the before_flush hook uses (models.journal)."""
    if session.new:
        session.flush()  # audit rows added earlier keep their place in the chain
    connection = session.connection()
    last_id, prev = last_audit_link(connection)
    details = details or {}
    row = {
        "id": last_id + 1,
        "at": now,
        "clerk_id": clerk_id,
        "action": action,
        "entity": entity or "",
        "entity_id": entity_id or "",
        "details": details,
        "prev_hash": prev,
    }
    connection.execute(_AUDIT_INSERT, row | {"row_hash": audit_digest(**row)})
    if outbox is not None:
        kind, dossier_uuid, payload = outbox
        connection.execute(
            _OUTBOX_INSERT,
            {
                "uuid": _outbox_uuid(payload),
                "kind": kind,
                "dossier_uuid": dossier_uuid,
                "payload": payload,
                "created_at": now,
            },
        )
