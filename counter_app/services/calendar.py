"""Calendar overrides (days off, make-up working days) and the year's calendar for display."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from counter_app.domain.calendar import CalendarOverrides
from counter_app.models import CalendarOverride
from counter_app.services.context import Context, get_setting, put_setting, record


@dataclass
class CalendarImport:
    days_off: int
    working_days: int

    def summary_vi(self) -> str:
        return (
            f"Đã nhập lịch: {self.days_off} ngày nghỉ bổ sung, "
            f"{self.working_days} ngày làm việc bù."
        )


def import_calendar(
    ctx: Context,
    data: object,
    *,
    source: str = "",
    seed: str | None = None,
    clerk: str | None = None,
) -> CalendarImport:
    """Add or change overrides. A day listed again takes the kind the newest file gives it.

    `seed` names a version of the calendar shipped with the application: it is imported once.
    """
    overrides = CalendarOverrides.from_dict(data)
    now = ctx.now()
    with ctx.db.write() as session:
        if seed is not None:
            if get_setting(session, "calendar_seed") == seed:
                return CalendarImport(0, 0)
            put_setting(session, "calendar_seed", seed)
        else:  # the calendar shipped with the application needs nobody
            from counter_app.services.clerks import check_acting

            check_acting(session, clerk, "supervisor", "nhập lịch nghỉ, làm bù")
        wanted = [(d, "day_off") for d in overrides.days_off]
        wanted += [(d, "working_day") for d in overrides.working_days]
        for day, kind in sorted(wanted):
            row = session.scalars(select(CalendarOverride).where(CalendarOverride.day == day))
            existing = row.first()
            if existing is None:
                session.add(CalendarOverride(day=day, kind=kind, source=source, created_at=now))
            else:
                existing.kind, existing.source = kind, source
        record(
            session,
            now,
            clerk_id=None,
            action="calendar.import",
            entity="calendar",
            details={
                "source": source,
                "days_off": sorted(d.isoformat() for d in overrides.days_off),
                "working_days": sorted(d.isoformat() for d in overrides.working_days),
            },
        )
    ctx.invalidate_calendar()
    return CalendarImport(len(overrides.days_off), len(overrides.working_days))


@dataclass
class YearCalendar:
    year: int
    days_off: list[tuple[date, str]]
    working_weekend_days: list[date]


def year_calendar(ctx: Context, year: int) -> YearCalendar:
    calendar = ctx.work_calendar()
    return YearCalendar(
        year, calendar.days_off_in_year(year), calendar.working_weekend_days_in_year(year)
    )
