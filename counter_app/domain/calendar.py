"""The office's working calendar: weekly hours, statutory days off, swaps and local overrides.

Pure rules: no Qt, no database, no I/O. Statutory days off come from `holidays.Vietnam`
(Vietnamese lunar calendar), built lazily one year at a time and cached per `WorkCalendar`;
the `holidays` package itself is imported only when a first year is needed (it costs ~70 ms).

Precedence for one date, strongest first:

1. an override day off (`CalendarOverrides.days_off`): a day off, whatever else says;
2. an override working day (`CalendarOverrides.working_days`): worked, even on a statutory
   day off or a weekend;
3. a statutory day off from the library (holidays, observed days, swapped weekdays);
4. a make-up Saturday from the library (`weekend_workdays`): worked;
5. otherwise the weekly `OfficeHours` of that weekday.

A make-up working day (rules 2 and 4) stands for an ordinary full day, so it gets the office's
normal hours (Monday's sessions, or the first weekday that has sessions), even when its own
weekday has shorter hours (e.g. a Saturday-morning office working a swapped Saturday in full).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any, NamedTuple

from counter_app.domain.errors import InvalidInput

if TYPE_CHECKING:
    from holidays import HolidayBase

WEEKDAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES_VI: tuple[str, ...] = (
    "Thứ Hai",
    "Thứ Ba",
    "Thứ Tư",
    "Thứ Năm",
    "Thứ Sáu",
    "Thứ Bảy",
    "Chủ nhật",
)

# A calendar in which no day at all is worked for this long is a configuration error.
MAX_DAYS_WITHOUT_WORK = 3 * 366

OVERRIDE_DAY_OFF_REASON = "Ngày nghỉ theo lịch điều chỉnh"
WEEKEND_REASON = "Nghỉ cuối tuần"

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
_CLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_clock(text: object) -> time:
    """Parse "07:00" -> time(7, 0); ValueError on anything but H:MM / HH:MM of a real time."""
    if not isinstance(text, str):
        raise ValueError(f"not a clock time: {text!r}")
    match = _CLOCK_RE.match(text.strip())
    if match is None:
        raise ValueError(f"not a clock time: {text!r}")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"not a clock time: {text!r}")
    return time(hour, minute)


def format_clock(moment: time) -> str:
    return moment.strftime("%H:%M")


def _since_midnight(moment: time) -> timedelta:
    return timedelta(
        hours=moment.hour,
        minutes=moment.minute,
        seconds=moment.second,
        microseconds=moment.microsecond,
    )


@dataclass(frozen=True, slots=True)
class Session:
    """One opening of the office within a day, e.g. 07:00–11:30 (whole minutes, naive)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if not isinstance(value, time) or value.tzinfo is not None:
                raise TypeError("Session times must be naive datetime.time values")
            if value.second or value.microsecond:
                raise InvalidInput(
                    f"Giờ làm việc phải tính theo phút (HH:MM), không có giây: {value}."
                )
        if self.start >= self.end:
            raise InvalidInput(
                f"Buổi làm việc {format_clock(self.start)}–{format_clock(self.end)}: "
                "giờ bắt đầu phải trước giờ kết thúc."
            )

    @property
    def length(self) -> timedelta:
        return _since_midnight(self.end) - _since_midnight(self.start)

    def contains(self, moment: time) -> bool:
        """True when `moment` is inside the session, both ends included."""
        return self.start <= moment <= self.end


def _check_day_sessions(weekday: int, sessions: tuple[Session, ...]) -> None:
    for previous, current in pairwise(sessions):
        if current.start < previous.end:
            raise InvalidInput(
                f"{WEEKDAY_NAMES_VI[weekday]}: các buổi làm việc phải theo thứ tự thời gian và "
                f"không chồng lên nhau ({format_clock(previous.start)}–"
                f"{format_clock(previous.end)} và {format_clock(current.start)}–"
                f"{format_clock(current.end)}).",
                field=WEEKDAY_KEYS[weekday],
            )


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """Weekly opening hours: `weekdays[0]` is Monday ... `weekdays[6]` Sunday."""

    weekdays: tuple[tuple[Session, ...], ...]

    def __post_init__(self) -> None:
        days = tuple(tuple(day) for day in self.weekdays)
        if len(days) != 7:
            raise ValueError("OfficeHours needs exactly 7 weekdays (Monday..Sunday)")
        for weekday, sessions in enumerate(days):
            for session in sessions:
                if not isinstance(session, Session):
                    raise TypeError("OfficeHours sessions must be Session instances")
            _check_day_sessions(weekday, sessions)
        if not any(days):
            raise InvalidInput("Giờ làm việc phải có ít nhất một ngày trong tuần có buổi làm việc.")
        object.__setattr__(self, "weekdays", days)

    @classmethod
    def default(cls) -> OfficeHours:
        """Monday–Friday 07:00–11:30 and 13:30–17:00; no weekend work."""
        day = (Session(time(7, 0), time(11, 30)), Session(time(13, 30), time(17, 0)))
        return cls((day, day, day, day, day, (), ()))

    def sessions_for_weekday(self, weekday: int) -> tuple[Session, ...]:
        return self.weekdays[weekday]

    @property
    def normal_sessions(self) -> tuple[Session, ...]:
        """The hours of an ordinary full day: Monday's, or the first weekday with sessions."""
        for sessions in self.weekdays:
            if sessions:
                return sessions
        raise AssertionError("unreachable: validated in __post_init__")

    def to_dict(self) -> dict[str, list[list[str]]]:
        return {
            key: [[format_clock(s.start), format_clock(s.end)] for s in sessions]
            for key, sessions in zip(WEEKDAY_KEYS, self.weekdays, strict=True)
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OfficeHours:
        """Parse `{"mon": [["07:00", "11:30"], ...], ..., "sun": []}`; a missing day is closed."""
        if not isinstance(data, Mapping):
            raise InvalidInput(
                "Giờ làm việc phải là một bảng theo ngày trong tuần (mon, tue, …, sun)."
            )
        unknown = sorted(str(key) for key in data if key not in WEEKDAY_KEYS)
        if unknown:
            raise InvalidInput(
                f"Không hiểu ngày '{unknown[0]}' trong giờ làm việc; "
                "dùng mon, tue, wed, thu, fri, sat, sun.",
                field=unknown[0],
            )
        days: list[tuple[Session, ...]] = []
        for weekday, key in enumerate(WEEKDAY_KEYS):
            days.append(_parse_day(weekday, data.get(key, [])))
        return cls(tuple(days))


def _parse_day(weekday: int, raw: object) -> tuple[Session, ...]:
    name, key = WEEKDAY_NAMES_VI[weekday], WEEKDAY_KEYS[weekday]
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise InvalidInput(
            f"{name}: giờ làm việc phải là danh sách các buổi [giờ bắt đầu, giờ kết thúc].",
            field=key,
        )
    sessions: list[Session] = []
    for pair in raw:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise InvalidInput(
                f"{name}: mỗi buổi phải gồm đúng hai giờ [bắt đầu, kết thúc], ví dụ "
                f'["07:00", "11:30"]; nhận được {pair!r}.',
                field=key,
            )
        bounds: list[time] = []
        for text in pair:
            try:
                bounds.append(parse_clock(text))
            except ValueError:
                raise InvalidInput(
                    f"{name}: giờ '{text}' không đúng dạng HH:MM (ví dụ 07:00).", field=key
                ) from None
        start, end = bounds
        if start >= end:
            raise InvalidInput(
                f"{name}: buổi {format_clock(start)}–{format_clock(end)} có giờ bắt đầu "
                "không trước giờ kết thúc.",
                field=key,
            )
        sessions.append(Session(start, end))
    result = tuple(sessions)
    _check_day_sessions(weekday, result)
    return result


def _parse_dates(raw: object, key: str, label: str) -> frozenset[date]:
    if raw is None:
        return frozenset()
    if isinstance(raw, str) or not isinstance(raw, Iterable):
        raise InvalidInput(f"{label} phải là danh sách ngày dạng YYYY-MM-DD.", field=key)
    found: set[date] = set()
    for item in raw:
        if isinstance(item, date) and not isinstance(item, datetime):
            found.add(item)
            continue
        parsed: date | None = None
        if isinstance(item, str) and _ISO_DATE_RE.match(item.strip()):
            try:
                parsed = date.fromisoformat(item.strip())
            except ValueError:
                parsed = None
        if parsed is None:
            raise InvalidInput(
                f"{label}: '{item}' không phải là ngày hợp lệ dạng YYYY-MM-DD (ví dụ 2026-01-02).",
                field=key,
            )
        found.add(parsed)
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class CalendarOverrides:
    """Local decisions on top of the statutory calendar: extra days off, make-up working days."""

    days_off: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        for name in ("days_off", "working_days"):
            values = frozenset(getattr(self, name))
            for value in values:
                if not isinstance(value, date) or isinstance(value, datetime):
                    raise TypeError(f"CalendarOverrides.{name} must hold datetime.date values")
            object.__setattr__(self, name, values)
        both = sorted(self.days_off & self.working_days)
        if both:
            listed = ", ".join(d.strftime("%d/%m/%Y") for d in both)
            raise InvalidInput(
                f"Ngày {listed} vừa là ngày nghỉ vừa là ngày làm việc bù; "
                "mỗi ngày chỉ được ở một danh sách.",
                field="days_off",
            )

    @classmethod
    def empty(cls) -> CalendarOverrides:
        return cls()

    def to_dict(self) -> dict[str, list[str]]:
        return {
            "days_off": [d.isoformat() for d in sorted(self.days_off)],
            "working_days": [d.isoformat() for d in sorted(self.working_days)],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CalendarOverrides:
        """Parse `{"days_off": ["2026-01-02"], "working_days": ["2026-01-10"]}`."""
        if not isinstance(data, Mapping):
            raise InvalidInput("Lịch điều chỉnh phải là một bảng có 'days_off' và 'working_days'.")
        unknown = sorted(str(k) for k in data if k not in ("days_off", "working_days"))
        if unknown:
            raise InvalidInput(
                f"Không hiểu khóa '{unknown[0]}' trong lịch điều chỉnh; "
                "chỉ dùng 'days_off' (ngày nghỉ) và 'working_days' (ngày làm việc bù).",
                field=unknown[0],
            )
        days_off = _parse_dates(data.get("days_off"), "days_off", "Danh sách ngày nghỉ")
        working = _parse_dates(
            data.get("working_days"), "working_days", "Danh sách ngày làm việc bù"
        )
        return cls(days_off, working)


class DayPlan(NamedTuple):
    """A date's sessions, their offsets from midnight, and the day's total office time."""

    sessions: tuple[Session, ...]
    spans: tuple[tuple[timedelta, timedelta], ...]
    total: timedelta


_CLOSED = DayPlan((), (), _ZERO)


def _plan(sessions: tuple[Session, ...]) -> DayPlan:
    if not sessions:
        return _CLOSED
    spans = tuple((_since_midnight(s.start), _since_midnight(s.end)) for s in sessions)
    total = sum((end - start for start, end in spans), _ZERO)
    return DayPlan(sessions, spans, total)


def _require_date(day: object) -> date:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError("expected a datetime.date (use to_office(moment).date() for instants)")
    return day


class WorkCalendar:
    """Which dates are worked and when, for one office. Cheap to create: nothing is built
    until a date is asked about; each year of statutory days is built once per instance."""

    __slots__ = ("_hours", "_makeup", "_normal", "_overrides", "_plans", "_statutory", "_weekly")

    def __init__(
        self, hours: OfficeHours | None = None, overrides: CalendarOverrides | None = None
    ) -> None:
        self._hours = hours if hours is not None else OfficeHours.default()
        self._overrides = overrides if overrides is not None else CalendarOverrides()
        self._weekly = tuple(_plan(sessions) for sessions in self._hours.weekdays)
        self._normal = _plan(self._hours.normal_sessions)
        self._statutory: dict[int, dict[date, str]] = {}
        self._makeup: set[date] = set()
        self._plans: dict[date, DayPlan] = {}

    def __repr__(self) -> str:
        return f"WorkCalendar(hours={self._hours!r}, overrides={self._overrides!r})"

    @property
    def hours(self) -> OfficeHours:
        return self._hours

    @property
    def overrides(self) -> CalendarOverrides:
        return self._overrides

    # -- statutory data ------------------------------------------------------------------

    def _statutory_year(self, year: int) -> dict[date, str]:
        """The library's days off of `year` (Vietnamese names); builds the year once."""
        found = self._statutory.get(year)
        if found is None:
            import holidays  # deferred: importing it costs ~70 ms at start-up

            built: HolidayBase = holidays.Vietnam(years=year, language="vi")
            found = {day: name for day, name in built.items() if day.year == year}
            self._makeup.update(built.weekend_workdays)
            self._statutory[year] = found
        return found

    # -- per-date answers ----------------------------------------------------------------

    def day_plan(self, day: date) -> DayPlan:
        """Sessions of `day` with precomputed offsets and total (empty on a day off)."""
        plan = self._plans.get(day)
        if plan is None:
            plan = self._compute_plan(_require_date(day))
            self._plans[day] = plan
        return plan

    def _compute_plan(self, day: date) -> DayPlan:
        overrides = self._overrides
        if day in overrides.days_off:
            return _CLOSED
        if day in overrides.working_days:
            return self._normal
        if day in self._statutory_year(day.year):
            return _CLOSED
        if day in self._makeup:
            return self._normal
        return self._weekly[day.weekday()]

    def is_working_day(self, day: date) -> bool:
        return bool(self.day_plan(day).sessions)

    def sessions_on(self, day: date) -> tuple[Session, ...]:
        return self.day_plan(day).sessions

    def closing_time(self, day: date) -> time | None:
        """End of the day's last session, or None on a day off."""
        sessions = self.day_plan(day).sessions
        return sessions[-1].end if sessions else None

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        current = _require_date(day)
        for _ in range(MAX_DAYS_WITHOUT_WORK):
            current += _ONE_DAY
            if self.day_plan(current).sessions:
                return current
        raise no_working_day_error(day)

    def day_off_reason(self, day: date) -> str | None:
        """Why `day` is not worked (Vietnamese), or None for a working day."""
        if self.day_plan(day).sessions:
            return None
        statutory = self._statutory_year(day.year)
        if day in statutory:
            return statutory[day]
        if day in self._overrides.days_off:
            return OVERRIDE_DAY_OFF_REASON
        weekday = day.weekday()
        if weekday >= 5:
            return WEEKEND_REASON
        return f"Không làm việc vào {WEEKDAY_NAMES_VI[weekday]}"

    def days_off_in_year(self, year: int) -> list[tuple[date, str]]:
        """Statutory and override days off in `year` that are not worked, with their names.

        Ordinary weekly rest days are not listed; a holiday falling on a weekend is.
        """
        candidates = set(self._statutory_year(year))
        candidates.update(d for d in self._overrides.days_off if d.year == year)
        result: list[tuple[date, str]] = []
        for day in sorted(candidates):
            reason = self.day_off_reason(day)
            if reason is not None:
                result.append((day, reason))
        return result

    def working_weekend_days_in_year(self, year: int) -> list[date]:
        """Make-up working days of `year` (library swaps and override working days) that are
        actually worked, sorted."""
        self._statutory_year(year)
        candidates = {d for d in self._makeup if d.year == year}
        candidates.update(d for d in self._overrides.working_days if d.year == year)
        return sorted(d for d in candidates if self.day_plan(d).sessions)


def no_working_day_error(after: date | datetime) -> InvalidInput:
    shown = after.strftime("%d/%m/%Y")
    return InvalidInput(
        f"Không có ngày làm việc nào trong 3 năm sau ngày {shown}; "
        "hãy kiểm tra giờ làm việc và lịch nghỉ của cơ quan."
    )
