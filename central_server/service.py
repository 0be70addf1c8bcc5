"""What the central server does, independent of HTTP: the API and the command line call it.

Rules worth knowing (docs/sync-protocol.md has the whole story):
- every pushed item is stored once under its counter-made UUID, with the answer given, so a
  retried batch gets the same answers; an invalid item is answered "rejected" and kept for an
  operator (quarantine), and the rest of the batch goes on;
- status changes are an append-only log; a change that a concurrent change of the other side
  made impossible is kept, marked not applied, and reported to the counters;
- the change feed's numbers are taken from one counter row at the end of each writing
  transaction; its row lock makes transactions commit in number order, so a reader that has
  seen number N has seen every number below N (no change is ever skipped by a cursor).
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import itertools
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Table, Text, bindparam, case, cast, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from central_server.db import ServerDatabase
from central_server.models import (
    Attachment,
    AttachmentChunk,
    CalendarDay,
    CatalogProcedure,
    Change,
    ChangeCounter,
    Clerk,
    Device,
    Dossier,
    EnrollmentCode,
    Rating,
    ReceivedItem,
    StatusEvent,
    Unit,
    utcnow,
)
from counter_app.domain.calendar import CalendarOverrides
from counter_app.domain.catalog import parse_catalog
from counter_app.domain.dossier_code import parse_dossier_code, validate_station, validate_unit_code
from counter_app.domain.errors import CounterError, InvalidInput
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.domain.status import Side, Status, check_transition
from counter_app.domain.text import clean
from counter_app.sync import protocol as p

ENROLLMENT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read over the phone
ENROLLMENT_VALID_DAYS = 7


class ServiceError(Exception):
    """A refusal with its HTTP status, a machine code and a Vietnamese sentence."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


class Rejected(Exception):
    """One pushed item refused (quarantined); the rest of the batch goes on."""


class RetryLater(Exception):
    """A concurrent request is storing the same items: the whole batch is to be retried."""


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return hashlib.sha256(data).hexdigest()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(OFFICE_TZ).isoformat()


# -- change feed ----------------------------------------------------------------------------


@dataclass
class ChangeLog:
    """Changes written by one transaction; numbered at the very end (see module docstring)."""

    pending: list[dict[str, Any]] = field(default_factory=list)

    def add(self, unit_id: int | None, kind: str, data: dict[str, Any]) -> None:
        self.pending.append({"unit_id": unit_id, "kind": kind, "data": data})

    def flush(self, session: Session) -> None:
        """Number the changes and insert them (one executemany); the counter's UPDATE
        autoflushes the transaction's other writes first."""
        if not self.pending:
            return
        top = session.execute(
            update(ChangeCounter)
            .where(ChangeCounter.id == 1)
            .values(value=ChangeCounter.value + len(self.pending))
            .returning(ChangeCounter.value)
        ).scalar_one()
        first = top - len(self.pending) + 1
        now = utcnow()
        insert_rows(
            session,
            Change.__table__,
            [
                change | {"seq": first + offset, "created_at": now}
                for offset, change in enumerate(self.pending)
            ],
        )
        self.pending.clear()


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert plain rows (every row with the same keys, every value already what the column
    stores). On PostgreSQL one `COPY ... FROM STDIN` on the session's connection, in its
    transaction: SQLAlchemy's executemany spent more CPU per row building multi-row INSERTs
    than PostgreSQL spent storing them. JSON columns hold JSON `null` for None, as SQLAlchemy's
    JSON type writes it; psycopg's errors come out as SQLAlchemy's (IntegrityError, DataError)."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    import psycopg
    from psycopg.types.json import Jsonb
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.types import JSON

    names = list(rows[0])
    json_at = [i for i, name in enumerate(names) if isinstance(table.c[name].type, JSON)]
    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    raw = connection.connection.driver_connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                values = [row[name] for name in names]
                for i in json_at:
                    values[i] = Jsonb(values[i])
                copy.write_row(values)
    except psycopg.Error as error:
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from error


# -- units, enrollment, devices -------------------------------------------------------------


def add_unit(db: ServerDatabase, code: str, name: str) -> Unit:
    code = validate_unit_code(code)
    name = clean(name)
    if not name:
        raise InvalidInput("Nhập tên đơn vị.", field="name")
    with db.transaction() as session:
        unit = session.scalar(select(Unit).where(Unit.code == code))
        if unit is None:
            unit = Unit(code=code, name=name)
            session.add(unit)
        else:
            unit.name = name
        session.flush()
        return unit


def _unit(session: Session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == validate_unit_code(code)))
    if unit is None:
        raise InvalidInput(
            f"Chưa có đơn vị mã {code}; thêm bằng «counter-server unit add».", field="unit_code"
        )
    return unit


def create_enrollment(
    db: ServerDatabase, unit_code: str, station: int, valid_days: int = ENROLLMENT_VALID_DAYS
) -> str:
    """A one-time code for one counter PC (unit + station), valid `valid_days` days."""
    station = validate_station(station)
    raw = "".join(secrets.choice(ENROLLMENT_ALPHABET) for _ in range(16))
    code = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
    now = utcnow()
    with db.transaction() as session:
        unit = _unit(session, unit_code)
        session.add(
            EnrollmentCode(
                code_hash=sha256_hex(normalise_enrollment_code(code)),
                unit_id=unit.id,
                station=station,
                created_at=now,
                expires_at=now + timedelta(days=valid_days),
            )
        )
    return code


def normalise_enrollment_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def enroll(
    db: ServerDatabase, request: p.EnrollRequest, counter_version: str
) -> tuple[str, Unit, int]:
    """Exchange a one-time code for a device token. Earlier tokens of that station are revoked:
    two PCs numbering dossiers as the same station would give the same codes."""
    now = utcnow()
    code_hash = sha256_hex(normalise_enrollment_code(request.code))
    with db.transaction() as session:
        row = session.scalar(
            select(EnrollmentCode).where(EnrollmentCode.code_hash == code_hash).with_for_update()
        )
        if row is None or row.used_at is not None or row.expires_at <= now:
            raise ServiceError(
                403,
                "enrollment_refused",
                "Mã đăng ký không đúng, đã dùng hoặc đã hết hạn. Hãy xin quản trị máy chủ tỉnh "
                "một mã mới.",
            )
        unit = session.get(Unit, row.unit_id)
        if request.unit_code is not None and (
            request.unit_code != unit.code or request.station != row.station
        ):
            raise ServiceError(
                409,
                "enrollment_mismatch",
                f"Mã đăng ký này dành cho đơn vị {unit.code}, quầy số {row.station}; máy này "
                f"đang được thiết lập cho đơn vị {request.unit_code}, quầy số {request.station}. "
                "Mã chưa bị dùng: hãy kiểm tra lại thiết lập hoặc xin mã đúng.",
            )
        row.used_at = now
        session.execute(
            update(Device)
            .where(
                Device.unit_id == unit.id,
                Device.station == row.station,
                Device.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        token = secrets.token_urlsafe(32)
        session.add(
            Device(
                token_hash=sha256_hex(token),
                unit_id=unit.id,
                station=row.station,
                name=clean(request.device_name)[:200],
                enrolled_at=now,
                last_seen_at=now,
                counter_version=counter_version[:40],
            )
        )
        return token, unit, row.station


@dataclass(frozen=True)
class Caller:
    device_id: int
    unit_id: int
    unit_code: str
    station: int


# Built once, as every statement run on each request (see _TRACK).
_DEVICE = (
    select(Device, Unit)
    .join(Unit, Unit.id == Device.unit_id)
    .where(Device.token_hash == bindparam("token_hash"))
)


def authenticate(db: ServerDatabase, token: str | None, counter_version: str = "") -> Caller:
    if not token:
        raise ServiceError(
            401,
            "unauthorized",
            "Máy chưa đăng ký với máy chủ tỉnh (thiếu mã thiết bị). Chạy «counter-app enroll».",
        )
    with db.transaction() as session:
        found = session.execute(_DEVICE, {"token_hash": sha256_hex(token)}).first()
        if found is None or found[0].revoked_at is not None:
            raise ServiceError(
                401,
                "unauthorized",
                "Mã thiết bị của máy này không hợp lệ hoặc đã bị thu hồi. Hãy xin quản trị máy "
                "chủ tỉnh một mã đăng ký mới và chạy «counter-app enroll».",
            )
        device, unit = found
        now = utcnow()
        # One write per minute at most per device for "last contact".
        if device.last_seen_at is None or now - device.last_seen_at > timedelta(seconds=60):
            device.last_seen_at = now
        if counter_version and device.counter_version != counter_version[:40]:
            device.counter_version = counter_version[:40]
        return Caller(device.id, unit.id, unit.code, device.station)


def list_devices(db: ServerDatabase) -> list[dict[str, Any]]:
    with db.transaction() as session:
        rows = session.execute(
            select(Device, Unit).join(Unit, Unit.id == Device.unit_id).order_by(Device.id)
        ).all()
        return [
            {
                "id": d.id,
                "unit_code": u.code,
                "station": d.station,
                "name": d.name,
                "enrolled_at": _iso(d.enrolled_at),
                "last_seen_at": _iso(d.last_seen_at),
                "revoked_at": _iso(d.revoked_at),
                "counter_version": d.counter_version,
            }
            for d, u in rows
        ]


def revoke_devices(db: ServerDatabase, unit_code: str, station: int | None = None) -> int:
    with db.transaction() as session:
        unit = _unit(session, unit_code)
        query = update(Device).where(Device.unit_id == unit.id, Device.revoked_at.is_(None))
        if station is not None:
            query = query.where(Device.station == station)
        return session.execute(query.values(revoked_at=utcnow())).rowcount


# -- push -----------------------------------------------------------------------------------


def _validation_reason(kind: str, error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(x) for x in first["loc"]) or "payload"
    return (
        f"Dữ liệu «{kind}» không hợp lệ ở trường «{where}» ({first['type']}); mục này được "
        "cách ly, các mục khác vẫn được nhận."
    )


_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")


def _bad_char(text: str) -> bool:
    return _BAD_CHAR.search(text) is not None


def _unstorable_text(value: Any, where: str = "") -> str | None:
    """A Vietnamese reason when a string (or key) holds NUL or a lone surrogate, else None."""
    if isinstance(value, str):
        if _bad_char(value):
            place = _storable(where) or "dữ liệu"
            return (
                f"Dữ liệu có ký tự không hợp lệ (ký tự NUL hoặc mã Unicode hỏng) ở «{place}»; "
                "mục này được cách ly, các mục khác vẫn được nhận."
            )
        return None
    if isinstance(value, dict):
        for key, child in value.items():
            name = f"{where}.{key}" if where else str(key)
            found = _unstorable_text(str(key), name) or _unstorable_text(child, name)
            if found:
                return found
    if isinstance(value, list):
        for index, child in enumerate(value):
            found = _unstorable_text(child, f"{where}[{index}]")
            if found:
                return found
    return None


def _storable(value: Any) -> Any:
    """The same value with NUL and lone surrogates replaced by U+FFFD (for the quarantine)."""
    if isinstance(value, str):
        return "".join("\ufffd" if c == "\x00" or "\ud800" <= c <= "\udfff" else c for c in value)
    if isinstance(value, dict):
        return {_storable(str(k)): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def push(db: ServerDatabase, caller: Caller, items: list[p.PushItem]) -> list[p.ItemResult]:
    """Store a batch; one answer per item, in order. Idempotent per item UUID.

    Set-based: what the batch refers to is read in a few queries, each item is decided in
    memory in order (an item sees what the items before it did), and the rows are written
    together at the end, in the one transaction of the batch.
    """
    try:
        with db.transaction() as session:
            return _push(session, caller, items)
    except IntegrityError as error:
        # Another request is storing the same UUIDs right now (a retry racing the original).
        raise RetryLater() from error


@dataclass(frozen=True, slots=True)
class _Stored:
    """The answer given to an item, as received_items keeps it."""

    uuid: str
    content_sha256: str
    outcome: str
    reason: str | None
    applied: bool | None
    note: str | None


def _push(session: Session, caller: Caller, items: list[p.PushItem]) -> list[p.ItemResult]:
    texts = [_canonical({"kind": i.kind, "payload": i.payload}) for i in items]
    # surrogatepass: a lone surrogate is refused below, not a failure to hash.
    contents = [sha256_hex(t.encode("utf-8", "surrogatepass")) for t in texts]
    stored: dict[str, _Stored] = {
        row.uuid: _Stored(*row)
        for row in session.execute(
            select(
                ReceivedItem.uuid,
                ReceivedItem.content_sha256,
                ReceivedItem.outcome,
                ReceivedItem.reason,
                ReceivedItem.applied,
                ReceivedItem.note,
            ).where(
                ReceivedItem.unit_id == caller.unit_id,
                ReceivedItem.uuid.in_({i.uuid for i in items}),
            )
        )
    }
    parsed = [
        None if item.uuid in stored else _parse_item(item, text)
        for item, text in zip(items, texts, strict=True)
    ]
    batch = _Batch(session, caller)
    batch.read([x for x in parsed if isinstance(x, p.Message)])
    results: list[p.ItemResult] = []
    for item, content, payload in zip(items, contents, parsed, strict=True):
        known = stored.get(item.uuid)  # stored earlier, or earlier in this batch
        if known is not None:
            results.append(_stored_answer(known, content))
            continue
        if isinstance(payload, _Unstorable):
            # PostgreSQL text cannot hold NUL or half a surrogate pair: refused here, and
            # quarantined with those characters replaced, not a failed batch.
            result = p.ItemResult(uuid=item.uuid, outcome="rejected", reason=payload.reason)
            item = item.model_copy(
                update={"kind": _storable(item.kind), "payload": _storable(item.payload)}
            )
        elif isinstance(payload, str):
            result = p.ItemResult(uuid=item.uuid, outcome="rejected", reason=payload)
        else:
            try:
                result = batch.apply(item, payload)
            except Rejected as rejection:
                result = p.ItemResult(uuid=item.uuid, outcome="rejected", reason=str(rejection))
            except CounterError as error:
                result = p.ItemResult(uuid=item.uuid, outcome="rejected", reason=error.message)
        batch.received.append(
            {
                "uuid": item.uuid,
                "unit_id": caller.unit_id,
                "device_id": caller.device_id,
                "kind": item.kind[:40],
                "content_sha256": content,
                "outcome": result.outcome,
                "reason": result.reason,
                "applied": result.applied,
                "note": result.note,
                "payload": item.payload if result.outcome == "rejected" else None,
                "received_at": batch.now,
            }
        )
        stored[item.uuid] = _Stored(
            item.uuid, content, result.outcome, result.reason, result.applied, result.note
        )
        results.append(result)
    batch.write()
    return results


@dataclass(frozen=True, slots=True)
class _Unstorable:
    reason: str


def _parse_item(item: p.PushItem, text: str) -> p.Message | _Unstorable | str:
    """The item's payload validated by its kind, or why it is refused. `text` is the item as
    canonical JSON, where a NUL shows as an escape and a lone surrogate as itself: only an
    item that has one is searched for where it is."""
    if "\\u0000" in text or _BAD_CHAR.search(text):
        unstorable = _unstorable_text({"kind": item.kind, "payload": item.payload})
        if unstorable:
            return _Unstorable(unstorable)
    model = p.PAYLOADS.get(item.kind)
    if model is None:
        return (
            f"Máy chủ không biết loại dữ liệu «{item.kind}»; mục được cách ly cho đến khi máy "
            "chủ được nâng cấp."
        )
    try:
        return model.model_validate(item.payload)
    except ValidationError as error:
        return _validation_reason(item.kind, error)


def _stored_answer(stored: _Stored, content: str) -> p.ItemResult:
    if stored.content_sha256 != content:
        return p.ItemResult(
            uuid=stored.uuid,
            outcome="rejected",
            reason="Mã định danh (UUID) của mục này đã được dùng cho một nội dung khác; mục "
            "được cách ly để quản trị viên kiểm tra.",
        )
    return p.ItemResult(
        uuid=stored.uuid,
        outcome=stored.outcome,  # type: ignore[arg-type]
        reason=stored.reason,
        applied=stored.applied,
        note=stored.note,
    )


@dataclass
class _Batch:
    """One push: the rows its items refer to, read once; the rows it writes, written once.

    Items are decided in order against this state, so an item sees the dossiers, events,
    ratings and attachments of the items before it, as if each had been written at once.
    Nothing is written before every item is decided: a refused item leaves no trace but its
    answer. New rows are plain dicts (a new dossier a namespace, since status events change
    it), not ORM objects: building those cost more than the rest of the batch.
    """

    session: Session
    caller: Caller
    now: datetime = field(default_factory=utcnow)
    log: ChangeLog = field(default_factory=ChangeLog)
    dossiers: dict[str, Any] = field(default_factory=dict)  # by uuid: Dossier, or a new one
    codes: set[str] = field(default_factory=set)  # dossier codes taken
    event_uuids: set[str] = field(default_factory=set)
    rating_uuids: set[str] = field(default_factory=set)
    attachments: dict[str, tuple[str, str]] = field(default_factory=dict)  # (sha256, dossier)
    new_dossiers: list[SimpleNamespace] = field(default_factory=list)
    # (table, row, dossier): rows that take their dossier's id by its uuid when inserted.
    linked: list[tuple[Table, dict[str, Any], Any]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)

    def read(self, payloads: list[p.Message]) -> None:
        """Everything the payloads refer to, in one query per table. The dossiers are
        locked (in id order, no deadlock between batches): a status change reads the status
        it changes, and an agency step on the server may be writing the same dossier."""
        refs: set[str] = set()
        codes: set[str] = set()
        events: set[str] = set()
        ratings: set[str] = set()
        attachments: set[str] = set()
        for x in payloads:
            if isinstance(x, p.DossierPayload):
                refs.add(x.uuid)
                events.add(x.event_uuid)
                with contextlib.suppress(CounterError):  # refused when its turn comes
                    codes.add(parse_dossier_code(x.code).code)
            else:
                refs.add(x.dossier_uuid)  # type: ignore[attr-defined]
                if isinstance(x, p.StatusChangePayload):
                    events.add(x.uuid)
                elif isinstance(x, p.RatingPayload):
                    ratings.add(x.uuid)
                elif isinstance(x, p.AttachmentPayload):
                    attachments.add(x.uuid)
        s = self.session
        if refs or codes:
            for d in s.scalars(
                select(Dossier)
                .options(defer(Dossier.payload))
                .where(or_(Dossier.uuid.in_(refs), Dossier.code.in_(codes)))
                .order_by(Dossier.id)
                .with_for_update()
            ):
                self.dossiers[d.uuid] = d
                self.codes.add(d.code)
        if events:
            self.event_uuids.update(
                s.scalars(select(StatusEvent.uuid).where(StatusEvent.uuid.in_(events)))
            )
        if ratings:
            self.rating_uuids.update(s.scalars(select(Rating.uuid).where(Rating.uuid.in_(ratings))))
        if attachments:
            for a_uuid, sha, d_uuid in s.execute(
                select(Attachment.uuid, Attachment.sha256, Dossier.uuid)
                .join(Dossier, Dossier.id == Attachment.dossier_id)
                .where(Attachment.uuid.in_(attachments))
            ):
                self.attachments[a_uuid] = (sha, d_uuid)

    def apply(self, item: p.PushItem, payload: p.Message) -> p.ItemResult:
        if isinstance(payload, p.DossierPayload):
            return self.dossier(item, payload)
        if isinstance(payload, p.StatusChangePayload):
            return self.status_change(item, payload)
        if isinstance(payload, p.RatingPayload):
            return self.rating(item, payload)
        return self.attachment(item, payload)  # type: ignore[arg-type]

    def write(self) -> None:
        """One executemany per table (psycopg pipelines them): the new dossiers as their
        items left them, the rows that refer to a dossier (by uuid: a new one has no id
        yet), the answers, then the changes. The dossiers read above are updated by the
        session's flush, which the change counter's UPDATE sets off."""
        s = self.session
        if self.new_dossiers:
            s.execute(
                insert(Dossier.__table__),
                [{k: v for k, v in vars(d).items() if k != "id"} for d in self.new_dossiers],
            )
        by_table: dict[Table, list[dict[str, Any]]] = {}
        for table, row, dossier in self.linked:
            by_table.setdefault(table, []).append(row | {"of_dossier": dossier.uuid})
        of_dossier = (
            select(Dossier.id).where(Dossier.uuid == bindparam("of_dossier")).scalar_subquery()
        )
        for table, rows in by_table.items():
            s.execute(insert(table).values(dossier_id=of_dossier), rows)
        insert_rows(s, ReceivedItem.__table__, self.received)
        self.log.flush(s)
        s.flush()

    def own_dossier(self, dossier_uuid: str) -> Any:
        dossier = self.dossiers.get(dossier_uuid)
        if dossier is None:
            raise Rejected(
                f"Máy chủ chưa có hồ sơ {dossier_uuid}: hồ sơ này chưa được gửi lên hoặc đã bị "
                "cách ly."
            )
        if dossier.unit_id != self.caller.unit_id:
            raise Rejected(
                f"Hồ sơ {dossier.code} thuộc đơn vị khác; máy này chỉ được ghi hồ sơ của đơn "
                f"vị {self.caller.unit_code}."
            )
        return dossier

    def dossier(self, item: p.PushItem, d: p.DossierPayload) -> p.ItemResult:
        caller = self.caller
        if item.dossier_uuid not in (None, d.uuid):
            raise Rejected("Mã định danh hồ sơ trong mục và trong dữ liệu không khớp nhau.")
        code = parse_dossier_code(d.code)
        if code.unit_code != caller.unit_code:
            raise Rejected(
                f"Hồ sơ {d.code} mang mã của đơn vị khác; máy này chỉ được ghi hồ sơ của đơn "
                f"vị {caller.unit_code}."
            )
        if d.station != caller.station:
            raise Rejected(
                f"Hồ sơ {d.code} ghi quầy số {d.station}, nhưng máy này đăng ký là quầy số "
                f"{caller.station}."
            )
        status = Status.parse(d.status)
        check_transition(None, status, Side.COUNTER)
        existing = self.dossiers.get(d.uuid)
        if existing is not None:
            if existing.unit_id != caller.unit_id:
                raise Rejected(f"Hồ sơ {d.code} thuộc đơn vị khác.")
            return p.ItemResult(uuid=item.uuid, outcome="accepted", note="Máy chủ đã có hồ sơ này.")
        if code.code in self.codes:
            raise Rejected(
                f"Mã hồ sơ {code.code} đã được dùng cho một hồ sơ khác trên máy chủ (hai máy "
                "cùng số quầy?); hồ sơ được cách ly để quản trị viên xử lý."
            )
        if d.event_uuid in self.event_uuids:
            raise Rejected("Mã định danh của sự kiện tiếp nhận đã được dùng.")
        payload = d.model_dump(mode="json")
        dossier = SimpleNamespace(
            id=None,
            uuid=d.uuid,
            code=code.code,
            unit_id=caller.unit_id,
            station=d.station,
            receipt_day=code.receipt_date,
            procedure_code=d.procedure.code,
            procedure_name=d.procedure.name,
            status=int(status),
            received_at=d.received_at,
            appointment_at=d.appointment_at,
            returned_at=None,
            payload=payload,
            created_at=self.now,
            updated_at=self.now,
        )
        self.new_dossiers.append(dossier)
        self.dossiers[d.uuid] = dossier
        self.codes.add(code.code)
        self.event_uuids.add(d.event_uuid)
        event = _event_row(
            uuid=d.event_uuid,
            from_status=None,
            to_status=int(status),
            action="receive" if status == Status.RECEIVED else "refuse",
            side=str(Side.COUNTER),
            clerk=d.receiving_clerk or None,
            at=d.received_at,
            reason="",
            appointment_at=d.appointment_at,
            applied=True,
            note=None,
            device_id=caller.device_id,
            recorded_at=self.now,
        )
        self.linked.append((StatusEvent.__table__, event, dossier))
        self.log.add(caller.unit_id, p.CHANGE_DOSSIER, payload)
        return p.ItemResult(uuid=item.uuid, outcome="accepted")

    def status_change(self, item: p.PushItem, e: p.StatusChangePayload) -> p.ItemResult:
        dossier = self.own_dossier(e.dossier_uuid)
        if e.uuid in self.event_uuids:
            return p.ItemResult(uuid=item.uuid, outcome="accepted", applied=True)
        event = apply_status_event(
            self.session,
            dossier,
            uuid=e.uuid,
            target=Status.parse(e.to_status),
            side=Side(e.side),
            seen_status=Status.parse(e.from_status) if e.from_status else None,
            at=e.at,
            reason=e.reason,
            clerk=e.clerk,
            appointment_at=e.appointment_at,
            device_id=self.caller.device_id,
            log=self.log,
            pending=self.linked,
        )
        self.event_uuids.add(e.uuid)
        return p.ItemResult(
            uuid=item.uuid, outcome="accepted", applied=event["applied"], note=event["note"]
        )

    def rating(self, item: p.PushItem, r: p.RatingPayload) -> p.ItemResult:
        dossier = self.own_dossier(r.dossier_uuid)
        if r.uuid not in self.rating_uuids:
            self.rating_uuids.add(r.uuid)
            row = {
                "uuid": r.uuid,
                "level": r.level,
                "reason": clean(r.reason),
                "at": r.at,
                "clerk": r.clerk,
            }
            self.linked.append((Rating.__table__, row, dossier))
        return p.ItemResult(uuid=item.uuid, outcome="accepted")

    def attachment(self, item: p.PushItem, a: p.AttachmentPayload) -> p.ItemResult:
        dossier = self.own_dossier(a.dossier_uuid)
        existing = self.attachments.get(a.uuid)
        if existing is None:
            self.attachments[a.uuid] = (a.sha256, dossier.uuid)
            row = {
                "uuid": a.uuid,
                "filename": a.filename,
                "content_type": a.content_type[:100],
                "size": a.size,
                "sha256": a.sha256,
                "received_bytes": 0,
                "completed_at": self.now if a.size == 0 else None,
            }
            self.linked.append((Attachment.__table__, row, dossier))
        elif existing != (a.sha256, dossier.uuid):
            raise Rejected("Tệp đính kèm này đã được khai báo với nội dung khác.")
        return p.ItemResult(uuid=item.uuid, outcome="accepted")


def _event_row(**values: Any) -> dict[str, Any]:
    """A status event's columns (its id and dossier_id left to the database and the caller)."""
    return values


def _event_change(dossier: Any, event: dict[str, Any]) -> dict[str, Any]:
    return p.DossierEventChange(
        uuid=event["uuid"],
        dossier_uuid=dossier.uuid,
        code=dossier.code,
        at=event["at"],
        from_status=Status(event["from_status"]).key if event["from_status"] else None,
        to_status=Status(event["to_status"]).key,
        action=event["action"],
        side=event["side"],
        clerk=event["clerk"],
        reason=event["reason"],
        appointment_at=event["appointment_at"],
        applied=event["applied"],
        note=event["note"],
        status_after=Status(dossier.status).key,
        appointment_after=dossier.appointment_at,
    ).model_dump(mode="json")


def apply_status_event(
    session: Session,
    dossier: Any,
    *,
    uuid: str,
    target: Status,
    side: Side,
    seen_status: Status | None,
    at: datetime,
    reason: str = "",
    clerk: str | None = None,
    appointment_at: datetime | None = None,
    device_id: int | None = None,
    log: ChangeLog,
    pending: list[tuple[Table, dict[str, Any], Any]] | None = None,
) -> dict[str, Any]:
    """Append one status event; apply it when the owner side may still make it.

    `seen_status` is what its author saw. When it differs from the server's current status a
    concurrent change came first: the event is applied if the move is still allowed to its
    side from the current status, otherwise kept as superseded (applied false) with a note.
    A move that was never allowed from what its author saw raises NotAllowed (refused).
    The event (returned as its columns) is added to the session, or to `pending` in a push,
    where its dossier may be new in the same batch.
    """
    current = Status(dossier.status)
    applied, note = True, None
    try:
        transition = check_transition(current, target, side)
        action = transition.action
        if seen_status is not None and seen_status != current:
            note = (
                f"Áp dụng sau một thay đổi đồng thời: khi ghi nhận, hồ sơ đang ở trạng thái "
                f"«{seen_status.label_vi}», trên máy chủ đã là «{current.label_vi}»."
            )
    except CounterError as error:
        if seen_status is None or seen_status == current:
            raise
        legal_then = check_transition(seen_status, target, side)  # raises if never allowed
        action = legal_then.action
        applied = False
        note = (
            f"Không áp dụng: trong lúc chờ đồng bộ, hồ sơ đã chuyển sang «{current.label_vi}» "
            f"trước ({error.message}). Thay đổi được giữ trong lịch sử để cán bộ xử lý."
        )
    now = utcnow()
    event = _event_row(
        uuid=uuid,
        from_status=int(seen_status) if seen_status is not None else int(current),
        to_status=int(target),
        action=action,
        side=str(side),
        clerk=clerk,
        at=at,
        reason=reason,
        appointment_at=appointment_at,
        applied=applied,
        note=note,
        device_id=device_id,
        recorded_at=now,
    )
    if pending is None:
        session.add(StatusEvent(dossier_id=dossier.id, **event))
    else:
        pending.append((StatusEvent.__table__, event, dossier))
    if applied:
        dossier.status = int(target)
        if appointment_at is not None:
            dossier.appointment_at = appointment_at
        if target == Status.RETURNED:
            dossier.returned_at = at
    dossier.updated_at = now
    log.add(dossier.unit_id, p.CHANGE_EVENT, _event_change(dossier, event))
    return event


# -- pull -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangesPage:
    """A page of the change feed; each change's data is the JSON text the database holds."""

    changes: list[tuple[int, str, str]]  # (seq, kind, data as JSON text)
    next_cursor: int
    has_more: bool

    def answer_json(self, server_time: datetime) -> bytes:
        """The `ChangesAnswer` document, written around the stored JSON: decoding and
        re-encoding 1,000 changes cost more than the query (docs/benchmarks.md)."""
        items = ",".join(
            f'{{"seq":{seq},"kind":{json.dumps(kind)},"data":{data}}}'
            for seq, kind, data in self.changes
        )
        rest = json.dumps(
            {
                "server_time": server_time.isoformat(),
                "next_cursor": self.next_cursor,
                "has_more": self.has_more,
            }
        )
        return f'{{"changes":[{items}],{rest[1:]}'.encode()

    def answer(self, server_time: datetime) -> p.ChangesAnswer:
        return p.ChangesAnswer.model_validate_json(self.answer_json(server_time))


def _feed_range(unit) -> Any:
    """One ordered range of ix_changes_unit_seq after `after`, up to `limit` rows, with who
    recorded each registration's receipt event: one probe of the events' uuid index per row
    (an EXISTS with the device in it was run as a hashed scan of all the device's events,
    300 ms on a province's history)."""
    receipt_device = (
        select(StatusEvent.device_id)
        .where(StatusEvent.uuid == Change.data["event_uuid"].as_string())
        .scalar_subquery()
    )
    recorder = case((Change.kind == p.CHANGE_DOSSIER, receipt_device), else_=None)
    return (
        select(Change.seq, Change.kind, cast(Change.data, Text), recorder)
        .where(unit, Change.seq > bindparam("after"))
        .order_by(Change.seq)
        .limit(bindparam("limit"))
    )


# The unit's changes and those for every counter, merged in Python: one query with OR read
# every later row of the unit and sorted them (its cost grew with the unit's backlog, not with
# the page). Built once: SQLAlchemy matches a new statement to its cached form at some CPU.
_OWN_RANGE = _feed_range(Change.unit_id == bindparam("unit_id"))
_SHARED_RANGE = _feed_range(Change.unit_id.is_(None))


def changes_after(db: ServerDatabase, caller: Caller, after: int, limit: int) -> ChangesPage:
    """The caller's unit's changes and those for every counter after `after`, up to `limit`.

    A `dossier.received` change that the calling device itself pushed is left out of the page
    (the cursor still moves past it): it holds that dossier already. Another device of the
    same station, e.g. a replaced PC, still gets it.
    """
    with db.transaction() as session:
        top = session.scalar(select(ChangeCounter.value).where(ChangeCounter.id == 1)) or 0
        if after > top:
            raise ServiceError(
                409,
                "cursor_ahead",
                f"Máy quầy đã đồng bộ đến vị trí {after}, nhưng máy chủ tỉnh mới có đến {top}: "
                "máy chủ có thể đã được khôi phục từ bản sao lưu cũ. Đồng bộ tạm dừng để không "
                "bỏ sót thay đổi; hãy báo quản trị máy chủ.",
            )
        params = {"after": after, "limit": limit + 1}
        rows = list(
            itertools.islice(
                heapq.merge(
                    session.execute(_OWN_RANGE, params | {"unit_id": caller.unit_id}).all(),
                    session.execute(_SHARED_RANGE, params).all(),
                    key=lambda row: row[0],
                ),
                limit + 1,
            )
        )
    has_more = len(rows) > limit
    rows = rows[:limit]
    return ChangesPage(
        [(seq, kind, data) for seq, kind, data, device in rows if device != caller.device_id],
        rows[-1][0] if rows else after,
        has_more,
    )


def day_counts(db: ServerDatabase, caller: Caller, since: date) -> dict[date, int]:
    with db.transaction() as session:
        rows = session.execute(
            select(Dossier.receipt_day, func.count())
            .where(
                Dossier.unit_id == caller.unit_id,
                Dossier.station == caller.station,
                Dossier.receipt_day >= since,
            )
            .group_by(Dossier.receipt_day)
        ).all()
    return {day: count for day, count in rows}


# -- attachments ----------------------------------------------------------------------------


def _own_attachment(session: Session, caller: Caller, uuid: str) -> Attachment:
    found = session.execute(
        select(Attachment, Dossier.unit_id)
        .join(Dossier, Dossier.id == Attachment.dossier_id)
        .where(Attachment.uuid == uuid)
    ).first()
    if found is None:
        raise ServiceError(
            404,
            "not_found",
            "Máy chủ chưa có thông tin tệp đính kèm này; thông tin tệp được gửi trước, nội "
            "dung gửi sau.",
        )
    if found[1] != caller.unit_id:
        raise ServiceError(403, "forbidden", "Tệp đính kèm này thuộc đơn vị khác.")
    return found[0]


def attachment_state(db: ServerDatabase, caller: Caller, uuid: str) -> p.AttachmentState:
    with db.transaction() as session:
        a = _own_attachment(session, caller, uuid)
        return p.AttachmentState(
            server_time=utcnow(),
            uuid=a.uuid,
            size=a.size,
            sha256=a.sha256,
            received_bytes=a.received_bytes,
            complete=a.completed_at is not None,
        )


def put_chunk(
    db: ServerDatabase, caller: Caller, uuid: str, offset: int, data: bytes, chunk_sha256: str
) -> p.AttachmentState:
    """Append bytes at `offset` (must be where the upload stands); a resent chunk is a no-op.

    When the last byte arrives the whole file is checked against its SHA-256; on mismatch the
    upload starts again from zero (the counter still has the file).
    """
    if sha256_hex(data) != chunk_sha256.lower():
        raise ServiceError(422, "chunk_corrupt", "Đoạn tệp bị hỏng trên đường truyền; sẽ gửi lại.")
    with db.transaction() as session:
        a = _own_attachment(session, caller, uuid)
        session.refresh(a, with_for_update=True)
        if a.completed_at is None:
            if offset < a.received_bytes:
                pass  # already stored (a retried chunk whose answer was lost)
            elif offset > a.received_bytes:
                raise ServiceError(
                    409,
                    "offset_mismatch",
                    f"Máy chủ mới nhận {a.received_bytes} byte của tệp; hãy gửi tiếp từ đó.",
                )
            elif offset + len(data) > a.size:
                raise ServiceError(422, "too_long", "Tệp gửi lên dài hơn kích thước đã khai báo.")
            else:
                session.add(AttachmentChunk(attachment_id=a.id, offset=offset, data=data))
                a.received_bytes = offset + len(data)
                if a.received_bytes == a.size:
                    digest = hashlib.sha256()
                    for chunk in session.scalars(
                        select(AttachmentChunk.data)
                        .where(AttachmentChunk.attachment_id == a.id)
                        .order_by(AttachmentChunk.offset)
                    ):
                        digest.update(chunk)
                    if digest.hexdigest() == a.sha256:
                        a.completed_at = utcnow()
                    else:
                        session.execute(
                            AttachmentChunk.__table__.delete().where(
                                AttachmentChunk.attachment_id == a.id
                            )
                        )
                        a.received_bytes = 0
        session.flush()
        return p.AttachmentState(
            server_time=utcnow(),
            uuid=a.uuid,
            size=a.size,
            sha256=a.sha256,
            received_bytes=a.received_bytes,
            complete=a.completed_at is not None,
        )


def attachment_bytes(db: ServerDatabase, uuid: str) -> bytes:
    with db.transaction() as session:
        a = session.scalar(select(Attachment).where(Attachment.uuid == uuid))
        if a is None:
            raise InvalidInput(f"Không có tệp đính kèm {uuid}.", field="uuid")
        return b"".join(
            session.scalars(
                select(AttachmentChunk.data)
                .where(AttachmentChunk.attachment_id == a.id)
                .order_by(AttachmentChunk.offset)
            )
        )


# -- agency, catalog, calendar, clerks ------------------------------------------------------

AGENCY_STATUSES = (
    "processing",
    "supplement_requested",
    "financial_obligation",
    "stopped",
    "result_ready",
)


def agency_set_status(db: ServerDatabase, code: str, status: str, note: str = "") -> dict:
    """The processing agency's step, made on the server; the counters learn it by pulling."""
    target = Status.parse(status)
    note = clean(note)
    if target in (Status.SUPPLEMENT_REQUESTED, Status.STOPPED) and not note:
        raise InvalidInput(
            "Cần ghi lý do (--note): giấy tờ còn thiếu, hoặc lý do dừng xử lý.", field="note"
        )
    normalised = parse_dossier_code(code).code
    with db.transaction() as session:
        dossier = session.scalar(
            select(Dossier).where(Dossier.code == normalised).with_for_update()
        )
        if dossier is None:
            raise InvalidInput(f"Máy chủ không có hồ sơ mã {normalised}.", field="code")
        log = ChangeLog()
        current = Status(dossier.status)
        check_transition(current, target, Side.AGENCY)
        import uuid as uuidlib

        apply_status_event(
            session,
            dossier,
            uuid=str(uuidlib.uuid4()),
            target=target,
            side=Side.AGENCY,
            seen_status=current,
            at=utcnow(),
            reason=note,
            log=log,
        )
        log.flush(session)
        return dossier_summary(dossier)


def dossier_summary(dossier: Dossier) -> dict[str, Any]:
    status = Status(dossier.status)
    return {
        "code": dossier.code,
        "status": status.key,
        "status_label": status.label_vi,
        "received_at": _iso(dossier.received_at),
        "appointment_at": _iso(dossier.appointment_at),
    }


def import_catalog(db: ServerDatabase, data: object) -> dict[str, list[str]]:
    """Same file as `counter-app catalog import`; each new or changed procedure reaches every
    counter through the change feed."""
    specs = parse_catalog(data)
    result: dict[str, list[str]] = {"added": [], "new_versions": [], "unchanged": []}
    with db.transaction() as session:
        log = ChangeLog()
        for spec in specs:
            content = spec.content()
            current = session.scalar(
                select(CatalogProcedure).where(
                    CatalogProcedure.code == spec.code, CatalogProcedure.is_current
                )
            )
            if current is not None and current.content == content:
                result["unchanged"].append(spec.code)
                continue
            version = 1
            if current is not None:
                current.is_current = False
                version = current.version + 1
                session.flush()
            session.add(CatalogProcedure(code=spec.code, version=version, content=content))
            result["new_versions" if current is not None else "added"].append(spec.code)
            log.add(None, p.CHANGE_PROCEDURE, {"procedure": {"code": spec.code, **content}})
        log.flush(session)
    return result


def import_calendar(db: ServerDatabase, data: object) -> dict[str, int]:
    overrides = CalendarOverrides.from_dict(data)
    with db.transaction() as session:
        for day, kind in sorted(
            [(d, "day_off") for d in overrides.days_off]
            + [(d, "working_day") for d in overrides.working_days]
        ):
            row = session.scalar(select(CalendarDay).where(CalendarDay.day == day))
            if row is None:
                session.add(CalendarDay(day=day, kind=kind))
            else:
                row.kind = kind
        log = ChangeLog()
        log.add(
            None,
            p.CHANGE_CALENDAR,
            p.CalendarChange(
                days_off=sorted(overrides.days_off), working_days=sorted(overrides.working_days)
            ).model_dump(mode="json"),
        )
        log.flush(session)
    return {"days_off": len(overrides.days_off), "working_days": len(overrides.working_days)}


def add_clerk(
    db: ServerDatabase,
    unit_code: str,
    username: str,
    full_name: str,
    role: str = "clerk",
    active: bool = True,
) -> dict[str, Any]:
    import uuid as uuidlib

    username = clean(username)
    full_name = clean(full_name)
    if not username or not full_name:
        raise InvalidInput("Cần tên đăng nhập và họ tên cán bộ.", field="username")
    with db.transaction() as session:
        unit = _unit(session, unit_code)
        clerk = session.scalar(
            select(Clerk).where(Clerk.unit_id == unit.id, Clerk.username == username)
        )
        if clerk is None:
            clerk = Clerk(uuid=str(uuidlib.uuid4()), unit_id=unit.id, username=username)
            session.add(clerk)
        clerk.full_name, clerk.role, clerk.active = full_name, role, active
        session.flush()
        data = p.ClerkChange(
            uuid=clerk.uuid,
            username=clerk.username,
            full_name=clerk.full_name,
            role=clerk.role,
            active=clerk.active,
        ).model_dump(mode="json")
        log = ChangeLog()
        log.add(unit.id, p.CHANGE_CLERK, data)
        log.flush(session)
        return data


# -- statistics and the public lookup -------------------------------------------------------


def stats(db: ServerDatabase) -> dict[str, Any]:
    with db.transaction() as session:
        units: dict[str, Any] = {}
        for unit in session.scalars(select(Unit).order_by(Unit.code)):
            by_status = {
                Status(s).key: n
                for s, n in session.execute(
                    select(Dossier.status, func.count())
                    .where(Dossier.unit_id == unit.id)
                    .group_by(Dossier.status)
                )
            }
            per_station = dict(
                session.execute(
                    select(Dossier.station, func.count())
                    .where(Dossier.unit_id == unit.id)
                    .group_by(Dossier.station)
                ).all()
            )
            stations: dict[str, Any] = {}
            for device in session.scalars(
                select(Device).where(Device.unit_id == unit.id).order_by(Device.id)
            ):
                entry = stations.setdefault(
                    str(device.station),
                    {"dossiers": 0, "last_contact": None, "active_devices": 0},
                )
                if device.revoked_at is None:
                    entry["active_devices"] += 1
                seen = _iso(device.last_seen_at)
                if seen and (entry["last_contact"] is None or seen > entry["last_contact"]):
                    entry["last_contact"] = seen
            for station, count in per_station.items():
                stations.setdefault(
                    str(station), {"dossiers": 0, "last_contact": None, "active_devices": 0}
                )["dossiers"] = count
            units[unit.code] = {
                "name": unit.name,
                "dossiers": sum(by_status.values()),
                "by_status": by_status,
                "stations": dict(sorted(stations.items())),
            }
        return {"units": units}


_TRACK = select(
    Dossier.code,
    Dossier.procedure_code,
    Dossier.procedure_name,
    Dossier.status,
    Dossier.received_at,
    Dossier.appointment_at,
    Dossier.returned_at,
).where(Dossier.code == bindparam("code"))


def track(db: ServerDatabase, code: str) -> p.TrackAnswer | None:
    try:
        normalised = parse_dossier_code(code).code
    except CounterError:
        return None
    # One statement outside a transaction (no BEGIN, no COMMIT), only the public columns: the
    # lookup is one index probe, the round trips were most of its time. The statement is built
    # once: SQLAlchemy matches a new one's columns to its cached form at 1 ms of CPU a call.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        d = connection.execute(_TRACK, {"code": normalised}).first()
    if d is None:
        return None
    status = Status(d.status)
    return p.TrackAnswer(
        server_time=utcnow(),
        code=d.code,
        procedure_code=d.procedure_code,
        procedure_name=d.procedure_name,
        status=status.key,
        status_label=status.label_vi,
        received_at=d.received_at.astimezone(OFFICE_TZ),
        appointment_at=d.appointment_at.astimezone(OFFICE_TZ),
        returned_at=d.returned_at.astimezone(OFFICE_TZ) if d.returned_at else None,
    )
