"""Business time: every rule of the counter is in Asia/Ho_Chi_Minh, whatever the PC's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

OFFICE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def to_office(moment: datetime) -> datetime:
    """The same instant in office time. Naive datetimes are refused: they are ambiguous."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: business times must carry a time zone")
    return moment.astimezone(OFFICE_TZ)


def now_office() -> datetime:
    return datetime.now(UTC).astimezone(OFFICE_TZ)
