"""One sync round: push the outbox, upload attachments, pull changes, compare day counts.

Guarantees (docs/sync-protocol.md): an outbox row leaves the queue only when the server has
answered for it; a page of changes is applied and the cursor moved in one local transaction;
remote status changes are applied by the ownership rule, and one that cannot be applied is kept
in the history and listed as a conflict, never dropped.
"""

from __future__ import annotations

import hashlib
import json
import queue
import random
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from counter_app.domain.calendar import CalendarOverrides
from counter_app.domain.catalog import parse_procedure
from counter_app.domain.dossier_code import parse_dossier_code
from counter_app.domain.errors import CounterError
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.domain.status import Side, Status, check_transition
from counter_app.domain.text import fold
from counter_app.models import (
    Attachment,
    CalendarOverride,
    Clerk,
    Dossier,
    DossierDocument,
    OutboxItem,
    Procedure,
    StatusEvent,
    SyncConflict,
)
from counter_app.services.context import Context, get_setting, load_office, new_uuid, put_setting
from counter_app.services.context import record as audit
from counter_app.sync import protocol as p
from counter_app.sync.client import ServerUnreachable, SyncClient, SyncError, UpgradeRequired
from counter_app.sync.lock import DeviceLock

# Settings keys (the settings table; "server_url" is also read for the receipt's QR code).
SERVER_URL = "server_url"
TOKEN = "sync_token"
CA_BUNDLE = "sync_ca_bundle"
ALLOW_HTTP = "sync_allow_http"
CURSOR = "sync_cursor"
LAST_SUCCESS = "sync_last_success"
LAST_ATTEMPT = "sync_last_attempt"
LAST_ERROR = "sync_last_error"
CLOCK_SKEW = "sync_clock_skew_seconds"
DAY_MISMATCHES = "sync_day_mismatches"
CHUNK_BYTES = "sync_chunk_bytes"

PUSH_BATCH = 100  # items per push to a server that announces no limits (v1 allows 200)
# A batch ends at this much JSON (~120 KB on the wire with gzip -9) or at the server's item
# limit: few requests, and the per-request headers and the compressor's cold start stay small.
PUSH_BATCH_BYTES = 1_000_000
PUSH_DEPTH = 2  # batches in flight: one on the line while the server stores the other
PAGE_SIZE = 1000  # changes per pull page, at most what the server announces
PULL_AHEAD = 2  # pages asked for and not yet applied
DEFAULT_CHUNK = 1024 * 1024
RECONCILE_DAYS = 30
STEP_ATTEMPTS = 3  # a step cut in the middle (after urllib3's own retries) is tried again
STEP_BACKOFF = 0.5  # seconds, doubled each time, plus jitter


@dataclass
class SyncReport:
    pushed: int = 0
    rejected: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    pulled: int = 0
    uploaded: int = 0
    pending: int = 0
    quarantined: int = 0
    clock_skew: float | None = None
    mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.pending or self.quarantined or self.mismatches or self.rejected)

    def lines_vi(self) -> list[str]:
        lines = [
            f"Đã gửi {self.pushed} thay đổi, nhận {self.pulled} thay đổi từ máy chủ tỉnh"
            + (f", tải lên {self.uploaded} tệp đính kèm" if self.uploaded else "")
            + "."
        ]
        lines += self.warnings
        return lines


@dataclass
class SyncConfig:
    server_url: str | None
    token: str | None
    ca_bundle: str | None
    allow_http: bool
    chunk_bytes: int


def load_config(ctx: Context) -> SyncConfig:
    with ctx.db.read() as session:
        return SyncConfig(
            server_url=get_setting(session, SERVER_URL),
            token=get_setting(session, TOKEN),
            ca_bundle=get_setting(session, CA_BUNDLE),
            allow_http=bool(get_setting(session, ALLOW_HTTP, False)),
            chunk_bytes=int(get_setting(session, CHUNK_BYTES, DEFAULT_CHUNK)),
        )


def make_client(ctx: Context, config: SyncConfig | None = None) -> SyncClient:
    from counter_app.sync.client import NotEnrolled

    config = config or load_config(ctx)
    if not config.server_url or not config.token:
        raise NotEnrolled(
            "Máy này chưa đăng ký với máy chủ tỉnh. Chạy «counter-app enroll --server ĐỊA_CHỈ "
            "--code MÃ» với mã do quản trị máy chủ cấp."
        )
    return SyncClient(
        config.server_url,
        token=config.token,
        ca_bundle=config.ca_bundle,
        allow_http=config.allow_http,
        clock=ctx.now,
    )


def _with_retries(step, *args):
    """Run one step again when the connection broke in the middle (answers are idempotent)."""
    for attempt in range(STEP_ATTEMPTS):
        try:
            return step(*args)
        except ServerUnreachable:
            if attempt == STEP_ATTEMPTS - 1:
                raise
            time.sleep(STEP_BACKOFF * (2**attempt) + random.uniform(0, STEP_BACKOFF))
    return None  # pragma: no cover


def sync_once(ctx: Context, client: SyncClient | None = None) -> SyncReport:
    """One complete round, under the device lock. Raises SyncError when it cannot finish."""
    config = load_config(ctx)
    report = SyncReport()
    with DeviceLock(ctx.data_dir):
        own_client = client is None
        client = client or make_client(ctx, config)
        try:
            _note_attempt(ctx)
            # No second layer of retries here: when the server is down, say so within seconds.
            hello = client.hello()
            if hello.upgrade_message:
                raise UpgradeRequired(hello.upgrade_message)
            _with_retries(push_outbox, ctx, client, report)
            _with_retries(upload_attachments, ctx, client, report, config.chunk_bytes)
            _with_retries(pull_changes, ctx, client, report)
            _with_retries(reconcile, ctx, client, report)
        except CounterError as error:
            _note_failure(ctx, str(error))
            raise
        finally:
            if own_client:
                client.close()
        report.clock_skew = client.clock_skew
        _finish(ctx, report)
    return report


def _note_attempt(ctx: Context) -> None:
    with ctx.db.write() as session:
        put_setting(session, LAST_ATTEMPT, ctx.now().isoformat())


def _note_failure(ctx: Context, message: str) -> None:
    with ctx.db.write() as session:
        put_setting(session, LAST_ERROR, {"at": ctx.now().isoformat(), "message": message})


def _finish(ctx: Context, report: SyncReport) -> None:
    with ctx.db.write() as session:
        report.pending = _pending_count(session)
        report.quarantined = session.scalar(
            select(func.count()).where(OutboxItem.quarantined_reason.is_not(None))
        )
        put_setting(session, LAST_SUCCESS, ctx.now().isoformat())
        put_setting(session, LAST_ERROR, None)
        put_setting(session, CLOCK_SKEW, report.clock_skew)
        put_setting(
            session, DAY_MISMATCHES, {d: list(v) for d, v in sorted(report.mismatches.items())}
        )
    if report.clock_skew is not None and abs(report.clock_skew) > p.CLOCK_SKEW_WARNING_SECONDS:
        report.warnings.append(clock_warning(report.clock_skew))
    if report.quarantined:
        report.warnings.append(
            f"Có {report.quarantined} thay đổi bị máy chủ từ chối và được cách ly; xem "
            "«counter-app sync --status» và báo quản trị."
        )
    for day, (local, server) in sorted(report.mismatches.items()):
        report.warnings.append(
            f"Số hồ sơ ngày {date.fromisoformat(day):%d/%m/%Y} không khớp: máy này có {local}, "
            f"máy chủ tỉnh có {server}."
        )
    for message in report.superseded:
        report.warnings.append(message)


def clock_warning(skew: float) -> str:
    minutes = round(abs(skew) / 60)
    direction = "chậm" if skew > 0 else "nhanh"
    return (
        f"Đồng hồ máy này {direction} khoảng {minutes} phút so với máy chủ tỉnh. Giờ tiếp nhận "
        "và giờ hẹn trả tính theo đồng hồ máy: hãy chỉnh lại ngày giờ của máy."
    )


def _pending_count(session: Session) -> int:
    return session.scalar(
        select(func.count()).where(
            OutboxItem.acknowledged_at.is_(None), OutboxItem.quarantined_reason.is_(None)
        )
    )


# -- push -----------------------------------------------------------------------------------


def push_outbox(ctx: Context, client: SyncClient, report: SyncReport) -> None:
    """Push every pending outbox row, in order, in batches cut by size.

    Up to PUSH_DEPTH batches are in flight at once (on two connections) so that the line
    carries the next batch while the server stores the previous one; a batch touching a dossier
    of a batch still in flight waits for it, so a dossier always reaches the server before its
    status changes. Answers are recorded in order, each batch in one local transaction.
    """
    hello = client.server_hello
    max_items = hello.max_push_items if hello else PUSH_BATCH
    last_id = 0
    in_flight: deque[tuple[Future, list[OutboxItem], set[str]]] = deque()

    def settle_oldest() -> None:
        future, rows, _ = in_flight.popleft()
        _record_answers(ctx, rows, future.result(), report)

    with ThreadPoolExecutor(PUSH_DEPTH, thread_name_prefix="counter-push") as pool:
        try:
            while True:
                rows = _next_batch(ctx, last_id, max_items)
                if not rows:
                    break
                last_id = rows[-1].id
                touched = {r.dossier_uuid for r in rows if r.dossier_uuid}
                while in_flight and (
                    len(in_flight) >= PUSH_DEPTH or any(touched & t for _, _, t in in_flight)
                ):
                    settle_oldest()
                items = [
                    p.PushItem(
                        uuid=r.uuid,
                        kind=r.kind,
                        dossier_uuid=r.dossier_uuid,
                        created_at=r.created_at,
                        payload=r.payload,
                    )
                    for r in rows
                ]
                future = pool.submit(client.push, items, compact=True)
                in_flight.append((future, rows, touched))
            while in_flight:
                settle_oldest()
        finally:
            for future, _, _ in in_flight:
                future.cancel()


def _next_batch(ctx: Context, after_id: int, max_items: int) -> list[OutboxItem]:
    """The next pending rows after `after_id`, up to `max_items` or PUSH_BATCH_BYTES of JSON;
    their attempt counters are raised."""
    with ctx.db.read() as session:
        candidates = session.scalars(
            select(OutboxItem)
            .where(
                OutboxItem.id > after_id,
                OutboxItem.acknowledged_at.is_(None),
                OutboxItem.quarantined_reason.is_(None),
            )
            .order_by(OutboxItem.id)
            .limit(max_items)
        ).all()
    rows, size = [], 0
    for row in candidates:
        size += len(json.dumps(row.payload, ensure_ascii=False)) + 160  # + the envelope
        if rows and size > PUSH_BATCH_BYTES:
            break
        rows.append(row)
    if rows:
        with ctx.db.write() as session:
            session.execute(
                update(OutboxItem)
                .where(OutboxItem.id.in_([r.id for r in rows]))
                .values(attempts=OutboxItem.attempts + 1)
            )
    return rows


def _record_answers(
    ctx: Context, rows: list[OutboxItem], answer: p.PushAnswer, report: SyncReport
) -> None:
    by_uuid = {r.uuid: r for r in rows}
    listed = {r.uuid: r for r in answer.results}
    if answer.compact:
        # Only the items to act on are listed; every other one was accepted.
        if not set(listed) <= set(by_uuid):
            raise SyncError(
                "Máy chủ tỉnh trả lời về mục không có trong yêu cầu; các mục chưa được xác nhận "
                "sẽ được gửi lại."
            )
    elif set(listed) != set(by_uuid):
        raise SyncError(
            "Máy chủ tỉnh trả lời thiếu hoặc thừa mục so với yêu cầu; các mục chưa được xác "
            "nhận sẽ được gửi lại."
        )
    plain = [r.id for r in rows if r.uuid not in listed or p.plainly_accepted(listed[r.uuid])]
    now = ctx.now()
    with ctx.db.write() as session:
        for start in range(0, len(plain), 900):  # SQLite's bound-parameter limit
            done = session.execute(
                update(OutboxItem)
                .where(
                    OutboxItem.id.in_(plain[start : start + 900]),
                    OutboxItem.acknowledged_at.is_(None),
                    OutboxItem.quarantined_reason.is_(None),
                )
                .values(acknowledged_at=now)
            )
            report.pushed += done.rowcount
        for uuid, result in listed.items():
            if p.plainly_accepted(result):
                continue
            row = session.get(OutboxItem, by_uuid[uuid].id)
            if row.acknowledged_at is not None or row.quarantined_reason is not None:
                continue
            if result.outcome == "accepted":  # applied: false, superseded on the server
                row.acknowledged_at = now
                report.pushed += 1
                _conflict(
                    session,
                    kind="superseded",
                    subject=row.payload.get("uuid", row.uuid),
                    dossier_uuid=row.dossier_uuid,
                    code=row.payload.get("code", ""),
                    message=result.note or "Thay đổi không được áp dụng trên máy chủ.",
                    now=now,
                    report=report,
                )
            else:
                row.quarantined_reason = result.reason or "Máy chủ từ chối mục này."
                report.rejected.append(row.quarantined_reason)


def _conflict(
    session: Session,
    *,
    kind: str,
    subject: str,
    dossier_uuid: str | None,
    code: str,
    message: str,
    now,
    report: SyncReport | None = None,
) -> None:
    exists = session.scalar(
        select(SyncConflict.id).where(
            SyncConflict.subject_uuid == subject, SyncConflict.kind == kind
        )
    )
    if exists:
        return
    dossier_id = None
    if dossier_uuid:
        dossier_id = session.scalar(select(Dossier.id).where(Dossier.uuid == dossier_uuid))
    session.add(
        SyncConflict(
            kind=kind,
            subject_uuid=subject,
            dossier_id=dossier_id,
            code=code,
            message=message,
            detected_at=now,
        )
    )
    if report is not None:
        report.superseded.append(f"Hồ sơ {code}: {message}" if code else message)


# -- attachments ----------------------------------------------------------------------------


def upload_attachments(ctx: Context, client: SyncClient, report: SyncReport, chunk: int) -> None:
    from counter_app.sync.client import Refused

    with ctx.db.read() as session:
        pending = session.scalars(
            select(Attachment).where(Attachment.uploaded_at.is_(None)).order_by(Attachment.id)
        ).all()
        declared = {
            r.payload.get("uuid")
            for r in session.scalars(
                select(OutboxItem).where(
                    OutboxItem.kind == p.KIND_ATTACHMENT, OutboxItem.acknowledged_at.is_not(None)
                )
            )
        }
    for attachment in pending:
        if attachment.uuid not in declared:
            continue  # its metadata has not reached the server yet (or was refused)
        state = client.attachment_state(attachment.uuid)
        path = ctx.data_dir / attachment.stored_name
        with path.open("rb") as source:
            while not state.complete:
                source.seek(state.received_bytes)
                data = source.read(chunk)
                if not data:
                    raise SyncError(
                        f"Tệp đính kèm {attachment.filename} trên máy ngắn hơn đã khai báo."
                    )
                try:
                    state = client.put_chunk(attachment.uuid, state.received_bytes, data)
                except Refused as refusal:
                    if refusal.error != "offset_mismatch":
                        raise
                    state = client.attachment_state(attachment.uuid)
        with ctx.db.write() as session:
            session.get(Attachment, attachment.id).uploaded_at = ctx.now()
        report.uploaded += 1


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- pull -----------------------------------------------------------------------------------


def pull_changes(ctx: Context, client: SyncClient, report: SyncReport) -> None:
    """Pull pages until the feed is exhausted, applying each page and its cursor in one local
    transaction, in order.

    The next page is asked for as soon as the current answer's headers announce it (before its
    body has arrived), so the server prepares it while the line still carries this one; at most
    PULL_AHEAD pages are asked for and not yet applied. With a server that sends no such headers
    the next page is asked for when this one has arrived, while it is applied.
    """
    hello = client.server_hello
    page = min(PAGE_SIZE, hello.max_page_size if hello else p.V1_MAX_PAGE_SIZE)
    with ctx.db.read() as session:
        cursor = int(get_setting(session, CURSOR, 0))
    pages: queue.Queue[Future] = queue.Queue()  # in feed order
    permits = threading.Semaphore(PULL_AHEAD)
    stopping = threading.Event()

    def fetch(after: int) -> tuple[p.ChangesAnswer, bool]:
        asked = False

        def next_page(cursor: int) -> None:
            nonlocal asked
            if not stopping.is_set() and permits.acquire(blocking=False):
                asked = True
                pages.put(pool.submit(fetch, cursor))

        return client.changes(after, page, on_next=next_page), asked

    with ThreadPoolExecutor(PULL_AHEAD, thread_name_prefix="counter-pull") as pool:
        try:
            permits.acquire()
            pages.put(pool.submit(fetch, cursor))
            while True:
                answer, asked = pages.get().result()
                if answer.next_cursor < cursor:
                    raise SyncError(
                        "Máy chủ tỉnh trả về vị trí đồng bộ lùi lại (máy chủ được khôi phục từ "
                        "bản sao lưu cũ?); hãy báo quản trị máy chủ."
                    )
                if answer.has_more and not asked:
                    permits.acquire()
                    pages.put(pool.submit(fetch, answer.next_cursor))
                apply_changes(ctx, answer.changes, answer.next_cursor, report)
                permits.release()
                cursor = answer.next_cursor
                if not answer.has_more:
                    return
        finally:
            stopping.set()


def apply_changes(
    ctx: Context, changes: list[p.Change], next_cursor: int, report: SyncReport
) -> None:
    """Apply one page and move the cursor, in one transaction."""
    now = ctx.now()
    calendar_changed = False
    with ctx.db.write() as session:
        if int(get_setting(session, CURSOR, 0)) >= next_cursor and changes:
            return  # another process applied this page already
        events = [
            p.DossierEventChange.model_validate(c.data) for c in changes if c.kind == p.CHANGE_EVENT
        ]
        lookups = _PageLookups(session, events)
        for change in changes:
            if change.kind == p.CHANGE_DOSSIER:
                _apply_remote_dossier(session, p.DossierPayload.model_validate(change.data), now)
            elif change.kind == p.CHANGE_EVENT:
                # The page is written in one flush at commit, not one per event: an event's
                # lookups (its dossier, its uuid, pending rows, its clerk) never need the rows
                # the page's earlier events added (dossiers and clerks are flushed as added).
                with session.no_autoflush:
                    _apply_remote_event(session, events[lookups.next_event()], now, report, lookups)
            elif change.kind == p.CHANGE_PROCEDURE:
                _apply_procedure(ctx, session, change.data["procedure"])
            elif change.kind == p.CHANGE_CALENDAR:
                _apply_calendar(session, change.data, now)
                calendar_changed = True
            elif change.kind == p.CHANGE_CLERK:
                _apply_clerk(session, p.ClerkChange.model_validate(change.data), now)
                lookups.clerks.clear()
            # Unknown kinds come from a newer server: skipped, the cursor still moves.
            report.pulled += 1
        put_setting(session, CURSOR, next_cursor)
    if calendar_changed:
        ctx.invalidate_calendar()


def _clerk_named(session: Session, username: str | None, now) -> Clerk | None:
    if not username:
        return None
    return session.scalar(select(Clerk).where(Clerk.username == username))


def _placeholder_clerk(session: Session, username: str, now) -> Clerk:
    """The receiving clerk of a dossier from another station, when unknown here."""
    clerk = _clerk_named(session, username or "khong-ro", now)
    if clerk is None:
        clerk = Clerk(
            uuid=new_uuid(),
            username=username or "khong-ro",
            full_name=username or "Không rõ",
            role="remote",
            active=False,
            created_at=now,
        )
        session.add(clerk)
        session.flush()
    return clerk


def _procedure_for(session: Session, ref: p.ProcedureRef, fee: int, now) -> Procedure:
    """The local version of a remote dossier's procedure, with the same time limit."""
    candidates = session.scalars(
        select(Procedure).where(Procedure.code == ref.code).order_by(Procedure.is_current.desc())
    ).all()
    for procedure in candidates:
        if procedure.name == ref.name and procedure.duration == ref.duration:
            return procedure
    version = max((c.version for c in candidates), default=0) + 1
    procedure = Procedure(
        code=ref.code,
        version=version,
        is_current=not candidates,
        name=ref.name,
        name_folded=fold(ref.name),
        sector=ref.sector,
        agency=ref.agency,
        duration=ref.duration,
        fee=fee,
        documents=[],
        imported_at=now,
    )
    session.add(procedure)
    session.flush()
    return procedure


def _apply_remote_dossier(session: Session, d: p.DossierPayload, now) -> None:
    """A dossier received at another station of this unit: any counter may hand it back."""
    if session.scalar(select(Dossier.id).where(Dossier.uuid == d.uuid)) is not None:
        return
    if session.scalar(select(Dossier.id).where(Dossier.code == d.code)) is not None:
        _conflict(
            session,
            kind="code_clash",
            subject=d.uuid,
            dossier_uuid=None,
            code=d.code,
            message=f"Mã hồ sơ {d.code} trên máy chủ thuộc một hồ sơ khác với hồ sơ cùng mã "
            "trên máy này (hai máy cùng số quầy?). Báo quản trị để xử lý.",
            now=now,
        )
        return
    code = parse_dossier_code(d.code)
    clerk = _placeholder_clerk(session, d.receiving_clerk, now)
    status = Status.parse(d.status)
    dossier = Dossier(
        uuid=d.uuid,
        code=code.code,
        receipt_day=code.receipt_date,
        sequence_number=code.number,
        station_number=d.station,
        procedure=_procedure_for(session, d.procedure, d.fee, now),
        applicant_kind=d.applicant.kind,
        applicant_name=d.applicant.full_name,
        applicant_name_folded=fold(d.applicant.full_name),
        applicant_id_type=d.applicant.id_type,
        applicant_id_number=d.applicant.id_number,
        applicant_date_of_birth=d.applicant.date_of_birth,
        applicant_gender=d.applicant.gender,
        applicant_address=d.applicant.address,
        applicant_phone=d.applicant.phone,
        applicant_email=d.applicant.email,
        sets=d.sets,
        channel=d.channel,
        return_method=d.return_method,
        fee=d.fee,
        received_at=d.received_at,
        appointment_at=d.appointment_at,
        status=int(status),
        receiving_clerk=clerk,
        created_at=now,
        updated_at=now,
    )
    dossier.documents = [
        DossierDocument(
            position=i + 1,
            name=doc.name,
            originals=doc.original,
            certified_copies=doc.certified_copy,
            photocopies=doc.photocopy,
            received=doc.received,
        )
        for i, doc in enumerate(d.documents)
    ]
    dossier.events = [
        StatusEvent(
            uuid=d.event_uuid,
            from_status=None,
            to_status=int(status),
            action="receive",
            side=str(Side.COUNTER),
            clerk=clerk,
            at=d.received_at,
            appointment_at=d.appointment_at,
        )
    ]
    session.add(dossier)
    session.flush()
    audit(
        session,
        now,
        clerk_id=None,
        action="sync.remote_dossier",
        entity="dossier",
        entity_id=dossier.code,
        details={"uuid": d.uuid, "station": d.station},
    )


class _PageLookups:
    """What a page's events look up, read once per page (a few IN queries) instead of four
    queries per event. Dossiers received from another station earlier in the same page are
    flushed as they are added and found by a query of their own."""

    CHUNK = 900  # SQLite's bound-parameter limit

    def __init__(self, session: Session, events: list[p.DossierEventChange]) -> None:
        self.session = session
        self.position = -1
        dossier_uuids = sorted({e.dossier_uuid for e in events})
        event_uuids = [e.uuid for e in events]
        self.dossiers: dict[str, Dossier] = {}
        self.known: set[str] = set()
        self.pending: dict[str, int] = {}
        self.clerks: dict[str, Clerk | None] = {}
        for chunk in self._chunks(dossier_uuids):
            self.dossiers.update(
                (d.uuid, d) for d in session.scalars(select(Dossier).where(Dossier.uuid.in_(chunk)))
            )
            self.pending.update(
                session.execute(
                    select(OutboxItem.dossier_uuid, func.count())
                    .where(
                        OutboxItem.dossier_uuid.in_(chunk),
                        OutboxItem.acknowledged_at.is_(None),
                        OutboxItem.quarantined_reason.is_(None),
                    )
                    .group_by(OutboxItem.dossier_uuid)
                ).all()
            )
        for chunk in self._chunks(event_uuids):
            self.known.update(
                session.scalars(select(StatusEvent.uuid).where(StatusEvent.uuid.in_(chunk)))
            )

    def _chunks(self, values: list[str]):
        for start in range(0, len(values), self.CHUNK):
            yield values[start : start + self.CHUNK]

    def next_event(self) -> int:
        self.position += 1
        return self.position

    def dossier(self, uuid: str) -> Dossier | None:
        found = self.dossiers.get(uuid)
        if found is None:  # e.g. received at another station earlier in this page
            found = self.session.scalar(select(Dossier).where(Dossier.uuid == uuid))
        return found

    def clerk(self, username: str | None, now) -> Clerk | None:
        if not username:
            return None
        if username not in self.clerks:
            self.clerks[username] = _clerk_named(self.session, username, now)
        return self.clerks[username]


def _apply_remote_event(
    session: Session,
    e: p.DossierEventChange,
    now,
    report: SyncReport,
    lookups: _PageLookups | None = None,
) -> None:
    lookups = lookups or _PageLookups(session, [e])
    dossier = lookups.dossier(e.dossier_uuid)
    if dossier is None:
        return  # a dossier this station never had (its registration was refused)
    known = e.uuid in lookups.known
    lookups.known.add(e.uuid)
    pending = lookups.pending.get(dossier.uuid, 0)
    target, side = Status.parse(e.to_status), Side(e.side)
    if not known:
        session.add(
            StatusEvent(
                uuid=e.uuid,
                dossier=dossier,
                from_status=int(Status.parse(e.from_status)) if e.from_status else None,
                to_status=int(target),
                action=e.action,
                side=str(side),
                clerk=lookups.clerk(e.clerk, now),
                at=e.at,
                reason=e.reason,
                appointment_at=e.appointment_at,
            )
        )
        audit(
            session,
            now,
            clerk_id=None,
            action="sync.remote_event",
            entity="dossier",
            entity_id=dossier.code,
            details={"event": e.uuid, "to": e.to_status, "side": e.side, "applied": e.applied},
        )
    if not e.applied:
        _conflict(
            session,
            kind="superseded",
            subject=e.uuid,
            dossier_uuid=dossier.uuid,
            code=dossier.code,
            message=e.note or "Thay đổi không được áp dụng trên máy chủ.",
            now=now,
            report=report,
        )
    if pending:
        # A change made here is still on its way: apply the remote one only if the owner
        # rule allows it from the local status; the server will settle the order.
        if not known and e.applied:
            try:
                check_transition(Status(dossier.status), target, side)
            except CounterError as error:
                _conflict(
                    session,
                    kind="held_back",
                    subject=e.uuid,
                    dossier_uuid=dossier.uuid,
                    code=dossier.code,
                    message=f"Thay đổi «{target.label_vi}» của {side.label_vi} chưa áp dụng "
                    f"trên máy này vì có thay đổi tại quầy đang chờ gửi ({error.message}).",
                    now=now,
                    report=report,
                )
                return
            dossier.status = int(target)
            if e.appointment_at is not None:
                dossier.appointment_at = e.appointment_at
        return
    # Nothing of ours is pending: the server's order is the truth.
    dossier.status = int(Status.parse(e.status_after))
    dossier.appointment_at = e.appointment_after
    dossier.updated_at = now


def _apply_procedure(ctx: Context, session: Session, entry: dict[str, Any]) -> None:
    from counter_app.services.catalog import _add_version, _content

    spec = parse_procedure(entry, 0)
    current = session.scalars(
        select(Procedure).where(Procedure.code == spec.code, Procedure.is_current)
    ).first()
    if current is None:
        latest = session.scalar(
            select(func.max(Procedure.version)).where(Procedure.code == spec.code)
        )
        _add_version(session, spec, (latest or 0) + 1, ctx)
    elif _content(current) != spec.content():
        current.is_current = False
        session.flush()
        _add_version(session, spec, current.version + 1, ctx)


def _apply_calendar(session: Session, data: dict[str, Any], now) -> None:
    overrides = CalendarOverrides.from_dict(data)
    wanted = [(d, "day_off") for d in overrides.days_off]
    wanted += [(d, "working_day") for d in overrides.working_days]
    for day, kind in sorted(wanted):
        existing = session.scalar(select(CalendarOverride).where(CalendarOverride.day == day))
        if existing is None:
            session.add(CalendarOverride(day=day, kind=kind, source="máy chủ tỉnh", created_at=now))
        else:
            existing.kind, existing.source = kind, "máy chủ tỉnh"


def _apply_clerk(session: Session, c: p.ClerkChange, now) -> None:
    clerk = session.scalar(select(Clerk).where(Clerk.uuid == c.uuid))
    if clerk is None:
        clerk = session.scalar(select(Clerk).where(Clerk.username == c.username))
    if clerk is None:
        clerk = Clerk(uuid=c.uuid, username=c.username, created_at=now)
        session.add(clerk)
    clerk.full_name, clerk.role, clerk.active = c.full_name, c.role, c.active
    session.flush()  # an event of the same page may name this clerk


# -- reconciliation -------------------------------------------------------------------------


def reconcile(ctx: Context, client: SyncClient, report: SyncReport) -> None:
    """Compare this station's dossiers per receipt day with the server's (last 30 days)."""
    since = ctx.now().astimezone(OFFICE_TZ).date() - timedelta(days=RECONCILE_DAYS)
    with ctx.db.read() as session:
        station = load_office(session).station_number
        local = dict(
            session.execute(
                select(Dossier.receipt_day, func.count())
                .where(Dossier.station_number == station, Dossier.receipt_day >= since)
                .group_by(Dossier.receipt_day)
            ).all()
        )
    server = client.day_counts(since).days
    report.mismatches = {
        day.isoformat(): (local.get(day, 0), server.get(day, 0))
        for day in sorted(set(local) | set(server))
        if local.get(day, 0) != server.get(day, 0)
    }
