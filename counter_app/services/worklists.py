"""The "Today" screen's lists and the status bar's figures. No Qt here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from counter_app.domain.office_time import OFFICE_TZ
from counter_app.domain.status import Status
from counter_app.models import OutboxItem, SyncConflict
from counter_app.services.context import Context, get_setting
from counter_app.services.search import search_dossiers


@dataclass
class TodayLists:
    received_today: list[dict[str, Any]] = field(default_factory=list)
    due_today: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    waiting_hand_back: list[dict[str, Any]] = field(default_factory=list)


def today_lists(ctx: Context) -> TodayLists:
    today = ctx.now().astimezone(OFFICE_TZ).date()
    lists = TodayLists(
        received_today=search_dossiers(ctx, received_from=today, received_to=today, limit=500),
        due_today=search_dossiers(ctx, due_today=True, limit=500),
        overdue=search_dossiers(ctx, overdue=True, limit=500),
        waiting_hand_back=search_dossiers(
            ctx, statuses=[int(Status.RESULT_READY), int(Status.STOPPED)], limit=500
        ),
    )
    for entries in (lists.due_today, lists.overdue, lists.waiting_hand_back):
        entries.sort(key=lambda d: d["appointment_at"])
    return lists


@dataclass
class SyncSummary:
    """What the status bar says about synchronisation."""

    server_configured: bool
    online: bool | None  # None: not known (no sync has been tried)
    waiting: int  # outbox items not yet acknowledged (quarantined ones included)
    quarantined: int
    last_success: datetime | None
    clock_skew: float | None = None  # the server's clock minus this PC's, in seconds
    conflicts: int = 0  # changes that lost (or wait on) a sync conflict

    @property
    def clock_skewed(self) -> bool:
        return self.clock_skew is not None and abs(self.clock_skew) > CLOCK_SKEW_WARNING_SECONDS


# Settings written by the sync runner (counter_app.sync.engine; a test checks the names). Read
# here directly so that the status bar does not import the sync client (requests, pydantic)
# before the first screen shows.
LAST_SUCCESS_KEY = "sync_last_success"
LAST_ATTEMPT_KEY = "sync_last_attempt"
LAST_ERROR_KEY = "sync_last_error"
TOKEN_KEY = "sync_token"
CLOCK_SKEW_KEY = "sync_clock_skew_seconds"
CLOCK_SKEW_WARNING_SECONDS = 120  # = counter_app.sync.protocol.CLOCK_SKEW_WARNING_SECONDS


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def sync_summary(ctx: Context) -> SyncSummary:
    """Figures from the outbox and the sync runner's settings."""
    with ctx.db.read() as session:
        waiting = session.scalar(
            select(func.count()).select_from(OutboxItem).where(OutboxItem.acknowledged_at.is_(None))
        )
        quarantined = session.scalar(
            select(func.count())
            .select_from(OutboxItem)
            .where(OutboxItem.acknowledged_at.is_(None), OutboxItem.quarantined_reason.is_not(None))
        )
        url = get_setting(session, "server_url", "") or ""
        last_success = _moment(get_setting(session, LAST_SUCCESS_KEY))
        last_attempt = _moment(get_setting(session, LAST_ATTEMPT_KEY))
        error = get_setting(session, LAST_ERROR_KEY)
        skew = get_setting(session, CLOCK_SKEW_KEY)
        conflicts = session.scalar(select(func.count()).select_from(SyncConflict))
    error_at = _moment(error.get("at")) if isinstance(error, dict) else None
    if last_attempt is None:
        online = None
    else:
        online = error_at is None or (last_success is not None and last_success >= error_at)
    return SyncSummary(
        server_configured=bool(url),
        online=online,
        waiting=waiting or 0,
        quarantined=quarantined or 0,
        last_success=last_success,
        clock_skew=float(skew) if isinstance(skew, int | float) else None,
        conflicts=conflicts or 0,
    )


def sync_enrolled(ctx: Context) -> bool:
    """The station has a sync server and its device token (`counter-app enroll`)."""
    with ctx.db.read() as session:
        return bool(get_setting(session, "server_url")) and bool(get_setting(session, TOKEN_KEY))
