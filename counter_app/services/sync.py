"""Sync use cases the window and the command line share: enroll, sync status, closing check."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select

from counter_app.domain.errors import InvalidInput
from counter_app.models import Dossier, OutboxItem, SyncConflict
from counter_app.services.context import Context, get_setting, put_setting, record
from counter_app.services.office import office_or_none, setup_office
from counter_app.sync import engine
from counter_app.sync import protocol as p
from counter_app.sync.client import SyncClient, UpgradeRequired, normalise_server_url


def enroll_station(
    ctx: Context,
    server_url: str,
    code: str,
    *,
    ca_bundle: str | None = None,
    allow_http: bool = False,
    device_name: str | None = None,
) -> p.EnrollAnswer:
    """Exchange the one-time code for this station's device token and remember the server.

    A station not set up yet takes its unit and station number from the server; one already set
    up must match the code (the server refuses a mismatch without using the code up).
    """
    url = normalise_server_url(server_url, allow_http=allow_http)
    office = office_or_none(ctx)
    try:
        request = p.EnrollRequest(
            code=code.strip(),
            unit_code=office.unit_code if office else None,
            station=office.station_number if office else None,
            device_name=(device_name or socket.gethostname())[:200],
        )
    except ValidationError:
        raise InvalidInput(
            "Mã đăng ký không đúng dạng (ví dụ ABCD-EFGH-JKMN-PQRS); hãy nhập lại mã do quản "
            "trị máy chủ tỉnh cấp.",
            field="code",
        ) from None
    client = SyncClient(url, ca_bundle=ca_bundle, allow_http=allow_http, clock=ctx.now)
    try:
        hello = client.hello()
        if hello.upgrade_message:
            raise UpgradeRequired(hello.upgrade_message)
        answer = client.enroll(request)
    finally:
        client.close()
    if office is None:
        setup_office(
            ctx, unit_code=answer.unit_code, unit_name=answer.unit_name, station=answer.station
        )
    with ctx.db.write() as session:
        previous = get_setting(session, engine.SERVER_URL)
        put_setting(session, engine.SERVER_URL, url)
        put_setting(session, engine.TOKEN, answer.token)
        put_setting(session, engine.CA_BUNDLE, ca_bundle)
        put_setting(session, engine.ALLOW_HTTP, allow_http)
        if previous != url:
            put_setting(session, engine.CURSOR, 0)
        record(
            session,
            ctx.now(),
            clerk_id=None,
            action="sync.enroll",
            entity="unit",
            entity_id=answer.unit_code,
            details={"server": url, "station": answer.station},
        )
    return answer


@dataclass
class SyncStatus:
    server_url: str | None
    enrolled: bool
    last_success: str | None
    last_attempt: str | None
    last_error: dict | None
    pending: int
    pending_dossiers: int
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    clock_skew: float | None = None
    day_mismatches: dict[str, list[int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()

    def lines_vi(self) -> list[str]:
        if not self.enrolled:
            return ["Máy chưa đăng ký với máy chủ tỉnh (counter-app enroll)."]
        lines = [f"Máy chủ tỉnh: {self.server_url}"]
        lines.append(
            "Lần đồng bộ thành công gần nhất: "
            + (_when(self.last_success) if self.last_success else "chưa có")
        )
        if self.last_error:
            lines.append(
                f"Lỗi lần thử gần nhất ({_when(self.last_error['at'])}): "
                f"{self.last_error['message']}"
            )
        lines.append(f"Đang chờ gửi: {self.pending} thay đổi ({self.pending_dossiers} hồ sơ mới).")
        if self.clock_skew is not None and abs(self.clock_skew) > p.CLOCK_SKEW_WARNING_SECONDS:
            lines.append(engine.clock_warning(self.clock_skew))
        for item in self.quarantined:
            lines.append(
                f"Bị từ chối, đang cách ly: {item['kind']} {item['code']}: {item['reason']}"
            )
        for conflict in self.conflicts:
            lines.append(f"Xung đột, hồ sơ {conflict['code']}: {conflict['message']}")
        for day, (local, server) in self.day_mismatches.items():
            lines.append(
                f"Số hồ sơ ngày {day}: máy này {local}, máy chủ tỉnh {server} (không khớp)."
            )
        return lines


def _when(iso: str) -> str:
    moment = datetime.fromisoformat(iso)
    return f"{moment:%H:%M %d/%m/%Y}"


def sync_status(ctx: Context) -> SyncStatus:
    with ctx.db.read() as session:
        pending = select(func.count()).where(
            OutboxItem.acknowledged_at.is_(None), OutboxItem.quarantined_reason.is_(None)
        )
        quarantined = session.scalars(
            select(OutboxItem)
            .where(OutboxItem.quarantined_reason.is_not(None))
            .order_by(OutboxItem.id)
        ).all()
        conflicts = session.scalars(select(SyncConflict).order_by(SyncConflict.id)).all()
        return SyncStatus(
            server_url=get_setting(session, engine.SERVER_URL),
            enrolled=bool(get_setting(session, engine.TOKEN)),
            last_success=get_setting(session, engine.LAST_SUCCESS),
            last_attempt=get_setting(session, engine.LAST_ATTEMPT),
            last_error=get_setting(session, engine.LAST_ERROR),
            pending=session.scalar(pending),
            pending_dossiers=session.scalar(
                pending.where(OutboxItem.kind == p.KIND_DOSSIER_RECEIVED)
            ),
            quarantined=[
                {
                    "uuid": q.uuid,
                    "kind": q.kind,
                    "code": q.payload.get("code", ""),
                    "reason": q.quarantined_reason,
                }
                for q in quarantined
            ],
            conflicts=[
                {
                    "kind": c.kind,
                    "code": c.code,
                    "message": c.message,
                    "detected_at": c.detected_at.isoformat(),
                }
                for c in conflicts
            ],
            clock_skew=get_setting(session, engine.CLOCK_SKEW),
            day_mismatches=get_setting(session, engine.DAY_MISMATCHES) or {},
        )


def closing_warning(ctx: Context) -> str | None:
    """At closing time: a sentence for the clerk when something has not reached the server."""
    status = sync_status(ctx)
    if not status.enrolled or (status.pending == 0 and not status.quarantined):
        return None
    return (
        f"Còn {status.pending} thay đổi chưa gửi lên máy chủ tỉnh"
        + (f" và {len(status.quarantined)} thay đổi bị từ chối" if status.quarantined else "")
        + ". Hãy kiểm tra kết nối mạng và đồng bộ trước khi tắt máy; dữ liệu vẫn an toàn "
        "trên máy này."
    )


def count_local_dossiers(ctx: Context) -> int:
    with ctx.db.read() as session:
        return session.scalar(select(func.count()).select_from(Dossier))
