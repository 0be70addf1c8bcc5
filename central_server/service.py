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

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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

    pending: list[Change] = field(default_factory=list)

    def add(self, unit_id: int | None, kind: str, data: dict[str, Any]) -> None:
        self.pending.append(Change(unit_id=unit_id, kind=kind, data=data))

    def flush(self, session: Session) -> None:
        if not self.pending:
            return
        top = session.execute(
            update(ChangeCounter)
            .where(ChangeCounter.id == 1)
            .values(value=ChangeCounter.value + len(self.pending))
            .returning(ChangeCounter.value)
        ).scalar_one()
        first = top - len(self.pending) + 1
        for offset, change in enumerate(self.pending):
            change.seq = first + offset
            session.add(change)
        session.flush()
        self.pending.clear()


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


def authenticate(db: ServerDatabase, token: str | None, counter_version: str = "") -> Caller:
    if not token:
        raise ServiceError(
            401,
            "unauthorized",
            "Máy chưa đăng ký với máy chủ tỉnh (thiếu mã thiết bị). Chạy «counter-app enroll».",
        )
    with db.transaction() as session:
        found = session.execute(
            select(Device, Unit)
            .join(Unit, Unit.id == Device.unit_id)
            .where(Device.token_hash == sha256_hex(token))
        ).first()
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


def _bad_char(text: str) -> bool:
    return "\x00" in text or any("\ud800" <= c <= "\udfff" for c in text)


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
    """Store a batch; one answer per item, in order. Idempotent per item UUID."""
    results: list[p.ItemResult] = []
    try:
        with db.transaction() as session:
            log = ChangeLog()
            for item in items:
                content = sha256_hex(_canonical({"kind": item.kind, "payload": item.payload}))
                stored = session.scalar(
                    select(ReceivedItem).where(
                        ReceivedItem.unit_id == caller.unit_id, ReceivedItem.uuid == item.uuid
                    )
                )
                if stored is not None:
                    results.append(_stored_answer(stored, content, caller))
                    continue
                unstorable = _unstorable_text({"kind": item.kind, "payload": item.payload})
                if unstorable:
                    # PostgreSQL text cannot hold NUL or half a surrogate pair: refused here,
                    # and quarantined with those characters replaced, not a failed batch.
                    result = p.ItemResult(uuid=item.uuid, outcome="rejected", reason=unstorable)
                    item = item.model_copy(
                        update={"kind": _storable(item.kind), "payload": _storable(item.payload)}
                    )
                else:
                    try:
                        with session.begin_nested():
                            result = _apply_item(session, caller, item, log)
                    except Rejected as rejection:
                        result = p.ItemResult(
                            uuid=item.uuid, outcome="rejected", reason=str(rejection)
                        )
                session.add(
                    ReceivedItem(
                        uuid=item.uuid,
                        unit_id=caller.unit_id,
                        device_id=caller.device_id,
                        kind=item.kind[:40],
                        content_sha256=content,
                        outcome=result.outcome,
                        reason=result.reason,
                        applied=result.applied,
                        note=result.note,
                        payload=item.payload if result.outcome == "rejected" else None,
                    )
                )
                session.flush()
                results.append(result)
            log.flush(session)
    except IntegrityError as error:
        # Another request is storing the same UUIDs right now (a retry racing the original).
        raise RetryLater() from error
    return results


def _stored_answer(stored: ReceivedItem, content: str, caller: Caller) -> p.ItemResult:
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


def _apply_item(session: Session, caller: Caller, item: p.PushItem, log: ChangeLog):
    model = p.PAYLOADS.get(item.kind)
    if model is None:
        raise Rejected(
            f"Máy chủ không biết loại dữ liệu «{item.kind}»; mục được cách ly cho đến khi máy "
            "chủ được nâng cấp."
        )
    try:
        payload = model.model_validate(item.payload)
    except ValidationError as error:
        raise Rejected(_validation_reason(item.kind, error)) from None
    handler = {
        p.KIND_DOSSIER_RECEIVED: _store_dossier,
        p.KIND_STATUS_CHANGED: _store_status_change,
        p.KIND_RATED: _store_rating,
        p.KIND_ATTACHMENT: _store_attachment_metadata,
    }[item.kind]
    try:
        return handler(session, caller, item, payload, log)
    except CounterError as error:
        raise Rejected(error.message) from None


def _own_dossier(session: Session, caller: Caller, dossier_uuid: str) -> Dossier:
    dossier = session.scalar(select(Dossier).where(Dossier.uuid == dossier_uuid))
    if dossier is None:
        raise Rejected(
            f"Máy chủ chưa có hồ sơ {dossier_uuid}: hồ sơ này chưa được gửi lên hoặc đã bị cách ly."
        )
    if dossier.unit_id != caller.unit_id:
        raise Rejected(
            f"Hồ sơ {dossier.code} thuộc đơn vị khác; máy này chỉ được ghi hồ sơ của đơn vị "
            f"{caller.unit_code}."
        )
    return dossier


def _store_dossier(session, caller: Caller, item, d: p.DossierPayload, log: ChangeLog):
    if item.dossier_uuid not in (None, d.uuid):
        raise Rejected("Mã định danh hồ sơ trong mục và trong dữ liệu không khớp nhau.")
    code = parse_dossier_code(d.code)
    if code.unit_code != caller.unit_code:
        raise Rejected(
            f"Hồ sơ {d.code} mang mã của đơn vị khác; máy này chỉ được ghi hồ sơ của đơn vị "
            f"{caller.unit_code}."
        )
    if d.station != caller.station:
        raise Rejected(
            f"Hồ sơ {d.code} ghi quầy số {d.station}, nhưng máy này đăng ký là quầy số "
            f"{caller.station}."
        )
    status = Status.parse(d.status)
    check_transition(None, status, Side.COUNTER)
    existing = session.scalar(select(Dossier).where(Dossier.uuid == d.uuid))
    if existing is not None:
        if existing.unit_id != caller.unit_id:
            raise Rejected(f"Hồ sơ {d.code} thuộc đơn vị khác.")
        return p.ItemResult(uuid=item.uuid, outcome="accepted", note="Máy chủ đã có hồ sơ này.")
    if session.scalar(select(Dossier.id).where(Dossier.code == code.code)) is not None:
        raise Rejected(
            f"Mã hồ sơ {code.code} đã được dùng cho một hồ sơ khác trên máy chủ (hai máy cùng "
            "số quầy?); hồ sơ được cách ly để quản trị viên xử lý."
        )
    if session.scalar(select(StatusEvent.id).where(StatusEvent.uuid == d.event_uuid)):
        raise Rejected("Mã định danh của sự kiện tiếp nhận đã được dùng.")
    payload = d.model_dump(mode="json")
    dossier = Dossier(
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
        payload=payload,
    )
    session.add(dossier)
    session.flush()
    session.add(
        StatusEvent(
            uuid=d.event_uuid,
            dossier_id=dossier.id,
            from_status=None,
            to_status=int(status),
            action="receive" if status == Status.RECEIVED else "refuse",
            side=str(Side.COUNTER),
            clerk=d.receiving_clerk or None,
            at=d.received_at,
            appointment_at=d.appointment_at,
            device_id=caller.device_id,
        )
    )
    log.add(caller.unit_id, p.CHANGE_DOSSIER, payload)
    return p.ItemResult(uuid=item.uuid, outcome="accepted")


def _event_change(dossier: Dossier, event: StatusEvent) -> dict[str, Any]:
    return p.DossierEventChange(
        uuid=event.uuid,
        dossier_uuid=dossier.uuid,
        code=dossier.code,
        at=event.at,
        from_status=Status(event.from_status).key if event.from_status else None,
        to_status=Status(event.to_status).key,
        action=event.action,
        side=event.side,  # type: ignore[arg-type]
        clerk=event.clerk,
        reason=event.reason,
        appointment_at=event.appointment_at,
        applied=event.applied,
        note=event.note,
        status_after=Status(dossier.status).key,
        appointment_after=dossier.appointment_at,
    ).model_dump(mode="json")


def apply_status_event(
    session: Session,
    dossier: Dossier,
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
) -> StatusEvent:
    """Append one status event; apply it when the owner side may still make it.

    `seen_status` is what its author saw. When it differs from the server's current status a
    concurrent change came first: the event is applied if the move is still allowed to its
    side from the current status, otherwise kept as superseded (applied false) with a note.
    A move that was never allowed from what its author saw raises NotAllowed (refused).
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
    event = StatusEvent(
        uuid=uuid,
        dossier_id=dossier.id,
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
    )
    session.add(event)
    if applied:
        dossier.status = int(target)
        if appointment_at is not None:
            dossier.appointment_at = appointment_at
        if target == Status.RETURNED:
            dossier.returned_at = at
    dossier.updated_at = utcnow()
    session.flush()
    log.add(dossier.unit_id, p.CHANGE_EVENT, _event_change(dossier, event))
    return event


def _store_status_change(session, caller: Caller, item, e: p.StatusChangePayload, log):
    dossier = _own_dossier(session, caller, e.dossier_uuid)
    if session.scalar(select(StatusEvent).where(StatusEvent.uuid == e.uuid)) is not None:
        return p.ItemResult(uuid=item.uuid, outcome="accepted", applied=True)
    event = apply_status_event(
        session,
        dossier,
        uuid=e.uuid,
        target=Status.parse(e.to_status),
        side=Side(e.side),
        seen_status=Status.parse(e.from_status) if e.from_status else None,
        at=e.at,
        reason=e.reason,
        clerk=e.clerk,
        appointment_at=e.appointment_at,
        device_id=caller.device_id,
        log=log,
    )
    return p.ItemResult(uuid=item.uuid, outcome="accepted", applied=event.applied, note=event.note)


def _store_rating(session, caller: Caller, item, r: p.RatingPayload, log):
    dossier = _own_dossier(session, caller, r.dossier_uuid)
    if session.scalar(select(Rating.id).where(Rating.uuid == r.uuid)) is None:
        session.add(
            Rating(
                uuid=r.uuid,
                dossier_id=dossier.id,
                level=r.level,
                reason=clean(r.reason),
                at=r.at,
                clerk=r.clerk,
            )
        )
    return p.ItemResult(uuid=item.uuid, outcome="accepted")


def _store_attachment_metadata(session, caller: Caller, item, a: p.AttachmentPayload, log):
    dossier = _own_dossier(session, caller, a.dossier_uuid)
    existing = session.scalar(select(Attachment).where(Attachment.uuid == a.uuid))
    if existing is None:
        session.add(
            Attachment(
                uuid=a.uuid,
                dossier_id=dossier.id,
                filename=a.filename,
                content_type=a.content_type[:100],
                size=a.size,
                sha256=a.sha256,
                received_bytes=0,
                completed_at=utcnow() if a.size == 0 else None,
            )
        )
    elif existing.dossier_id != dossier.id or existing.sha256 != a.sha256:
        raise Rejected("Tệp đính kèm này đã được khai báo với nội dung khác.")
    return p.ItemResult(uuid=item.uuid, outcome="accepted")


# -- pull -----------------------------------------------------------------------------------


def changes_after(
    db: ServerDatabase, caller: Caller, after: int, limit: int
) -> tuple[list[p.Change], int, bool]:
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
        rows = session.scalars(
            select(Change)
            .where(
                Change.seq > after,
                or_(Change.unit_id == caller.unit_id, Change.unit_id.is_(None)),
            )
            .order_by(Change.seq)
            .limit(limit + 1)
        ).all()
        echoes = _own_receipts(session, caller, rows[:limit])
    has_more = len(rows) > limit
    rows = rows[:limit]
    changes = [p.Change(seq=r.seq, kind=r.kind, data=r.data) for r in rows if r.seq not in echoes]
    return changes, (rows[-1].seq if rows else after), has_more


def _own_receipts(session: Session, caller: Caller, rows: list[Change]) -> set[int]:
    """The seqs of `dossier.received` changes that the calling device itself pushed: it holds
    those dossiers already, so they are left out of its pages (the cursor still moves past
    them). Another device of the same station, e.g. a replaced PC, still gets them."""
    events = {r.data.get("event_uuid"): r.seq for r in rows if r.kind == p.CHANGE_DOSSIER}
    if not events:
        return set()
    own = session.scalars(
        select(StatusEvent.uuid).where(
            StatusEvent.uuid.in_([u for u in events if u]),
            StatusEvent.device_id == caller.device_id,
        )
    )
    return {events[u] for u in own}


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


def track(db: ServerDatabase, code: str) -> p.TrackAnswer | None:
    try:
        normalised = parse_dossier_code(code).code
    except CounterError:
        return None
    with db.transaction() as session:
        d = session.scalar(select(Dossier).where(Dossier.code == normalised))
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
