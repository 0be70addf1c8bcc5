"""The appointment (hẹn trả kết quả): when a dossier's result is due.

Pure rules: no Qt, no database, no I/O. All business time is office time (Asia/Ho_Chi_Minh);
inputs may be in any zone but must be timezone-aware.

Working time is counted in office sessions only: 1 working day = 8 working hours. Counting
starts at the receipt if the office is open then; before opening at the opening, during a break
at the next opening, after closing or on a day off at the next working day's opening. A count
that ends exactly at a session's close gives that close (11:30, 17:00), not the next opening.
Arithmetic is exact (`timedelta`, microseconds): durations are `Decimal`, never floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from counter_app.domain.calendar import (
    MAX_DAYS_WITHOUT_WORK,
    WorkCalendar,
    format_clock,
    no_working_day_error,
    parse_clock,
)
from counter_app.domain.errors import InvalidInput
from counter_app.domain.office_time import OFFICE_TZ, to_office

WORKING_DAYS = "working_days"
WORKING_HOURS = "working_hours"
CALENDAR_DAYS = "calendar_days"
SAME_DAY = "same_day"
DURATION_KINDS: tuple[str, ...] = (WORKING_DAYS, WORKING_HOURS, CALENDAR_DAYS, SAME_DAY)

HOURS_PER_WORKING_DAY = 8
DEFAULT_CUTOFF = time(15, 0)

# Sanity bounds: far above any real procedure, low enough to stop a typo (3000 for 30).
MAX_VALUE: dict[str, Decimal] = {
    WORKING_DAYS: Decimal(1000),
    WORKING_HOURS: Decimal(8000),
    CALENDAR_DAYS: Decimal(3650),
}
_UNITS_VI = {WORKING_DAYS: "ngày làm việc", WORKING_HOURS: "giờ làm việc", CALENDAR_DAYS: "ngày"}
_MICROS_PER_HOUR = Decimal(3_600_000_000)
_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)


def _decimal_vi(value: Decimal) -> str:
    """Decimal(0.5) -> "0,5"; Decimal("3.00") -> "3" (Vietnamese decimal comma)."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _to_decimal(raw: object) -> Decimal:
    """int, Decimal, numeric str, or float (through its shortest repr) -> finite Decimal."""
    if isinstance(raw, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    elif isinstance(raw, str):
        try:
            value = Decimal(raw.strip().replace(",", "."))
        except InvalidOperation:
            raise ValueError(f"not a number: {raw!r}") from None
    else:
        raise ValueError(f"not a number: {raw!r}")
    if not value.is_finite():
        raise ValueError(f"not a finite number: {raw!r}")
    return value


@dataclass(frozen=True, slots=True)
class Duration:
    """A procedure's legal time limit.

    `kind` is one of working_days, working_hours, calendar_days, same_day. `value` (> 0) counts
    the unit; working days and hours may be fractional (0.5 day), calendar days may not. For
    same_day, `value` is ignored (stored as 0) and `cutoff` is the last receipt time that is
    still returned the same day; for other kinds `cutoff` is ignored (kept at 15:00).
    """

    kind: str
    value: Decimal = Decimal(0)
    cutoff: time = DEFAULT_CUTOFF

    def __post_init__(self) -> None:
        if self.kind not in DURATION_KINDS:
            raise InvalidInput(_unknown_kind_message(self.kind), field="kind")
        if self.kind == SAME_DAY:
            object.__setattr__(self, "value", Decimal(0))
            if not isinstance(self.cutoff, time) or self.cutoff.tzinfo is not None:
                raise InvalidInput("Giờ chốt nhận phải là một giờ trong ngày.", field="cutoff")
            return
        object.__setattr__(self, "cutoff", DEFAULT_CUTOFF)
        try:
            value = _to_decimal(self.value)
        except ValueError:
            raise InvalidInput(
                f"Số lượng thời hạn '{self.value}' không phải là một số.", field="value"
            ) from None
        if value <= 0:
            raise InvalidInput(
                f"Số lượng thời hạn phải lớn hơn 0 (đang là {_decimal_vi(value)}).",
                field="value",
            )
        if self.kind == CALENDAR_DAYS and value != value.to_integral_value():
            raise InvalidInput(
                "Thời hạn tính theo ngày (calendar_days) phải là số nguyên ngày "
                f"(đang là {_decimal_vi(value)}).",
                field="value",
            )
        limit = MAX_VALUE[self.kind]
        if value > limit:
            raise InvalidInput(
                f"Số lượng thời hạn {_decimal_vi(value)} quá lớn "
                f"(tối đa {_decimal_vi(limit)} {_UNITS_VI[self.kind]}).",
                field="value",
            )
        object.__setattr__(self, "value", value)

    # -- convenience constructors -------------------------------------------------------

    @classmethod
    def working_days(cls, value: int | str | Decimal) -> Duration:
        return cls(WORKING_DAYS, _to_decimal(value))

    @classmethod
    def working_hours(cls, value: int | str | Decimal) -> Duration:
        return cls(WORKING_HOURS, _to_decimal(value))

    @classmethod
    def calendar_days(cls, value: int) -> Duration:
        return cls(CALENDAR_DAYS, _to_decimal(value))

    @classmethod
    def same_day(cls, cutoff: time = DEFAULT_CUTOFF) -> Duration:
        return cls(SAME_DAY, Decimal(0), cutoff)

    # -- catalog form --------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Duration:
        """Parse `{"kind": "working_days", "value": 3}` or `{"kind": "same_day",
        "cutoff": "15:00"}` (cutoff optional, 15:00 by default)."""
        if not isinstance(data, Mapping):
            raise InvalidInput(
                "Thời hạn giải quyết phải là một bảng có khóa 'kind' (loại thời hạn)."
            )
        unknown = sorted(str(k) for k in data if k not in ("kind", "value", "cutoff"))
        if unknown:
            raise InvalidInput(
                f"Không hiểu khóa '{unknown[0]}' trong thời hạn giải quyết; "
                "chỉ dùng 'kind', 'value' và 'cutoff'.",
                field=unknown[0],
            )
        if "kind" not in data:
            raise InvalidInput(
                "Thiếu loại thời hạn ('kind'): working_days, working_hours, calendar_days "
                "hoặc same_day.",
                field="kind",
            )
        kind = data["kind"]
        if kind not in DURATION_KINDS:
            raise InvalidInput(_unknown_kind_message(kind), field="kind")
        if kind == SAME_DAY:
            raw_cutoff = data.get("cutoff")
            if raw_cutoff is None:
                return cls.same_day()
            try:
                cutoff = parse_clock(raw_cutoff)
            except ValueError:
                raise InvalidInput(
                    f"Giờ chốt nhận '{raw_cutoff}' không đúng dạng HH:MM (ví dụ 15:00).",
                    field="cutoff",
                ) from None
            return cls.same_day(cutoff)
        if "cutoff" in data:
            raise InvalidInput(
                "Chỉ thời hạn trong ngày (same_day) mới có giờ chốt nhận ('cutoff').",
                field="cutoff",
            )
        if data.get("value") is None:
            raise InvalidInput(
                f'Thiếu số lượng thời hạn (\'value\'), ví dụ {{"kind": "{kind}", "value": 3}}.',
                field="value",
            )
        raw_value = data["value"]
        try:
            value = _to_decimal(raw_value)
        except ValueError:
            raise InvalidInput(
                f"Số lượng thời hạn '{raw_value}' không phải là một số.", field="value"
            ) from None
        return cls(kind, value)

    def to_dict(self) -> dict[str, Any]:
        """The catalog form; `from_dict(d.to_dict()) == d`. Values are JSON numbers."""
        if self.kind == SAME_DAY:
            return {"kind": SAME_DAY, "cutoff": format_clock(self.cutoff)}
        value = self.value
        number: int | float | str
        if value == value.to_integral_value():
            number = int(value)
        elif Decimal(repr(float(value))) == value:
            number = float(value)
        else:  # more digits than a float keeps: a string, which from_dict also reads
            number = str(value)
        return {"kind": self.kind, "value": number}

    def describe_vi(self) -> str:
        """The clerk's wording: "3 ngày làm việc", "0,5 ngày làm việc", "4 giờ làm việc",
        "15 ngày", "Trong ngày (nhận trước 15:00)"."""
        if self.kind == SAME_DAY:
            return f"Trong ngày (nhận trước {format_clock(self.cutoff)})"
        return f"{_decimal_vi(self.value)} {_UNITS_VI[self.kind]}"

    @property
    def is_working_time(self) -> bool:
        return self.kind in (WORKING_DAYS, WORKING_HOURS)

    def working_time(self) -> timedelta:
        """The office time to count, rounded to the microsecond (working kinds only)."""
        if self.kind == WORKING_DAYS:
            hours = self.value * HOURS_PER_WORKING_DAY
        elif self.kind == WORKING_HOURS:
            hours = self.value
        else:
            raise ValueError(f"{self.kind} is not counted in working time")
        micros = (hours * _MICROS_PER_HOUR).to_integral_value(rounding=ROUND_HALF_EVEN)
        return timedelta(microseconds=int(micros))


def _unknown_kind_message(kind: object) -> str:
    return (
        f"Loại thời hạn '{kind}' không hợp lệ; dùng working_days (ngày làm việc), "
        "working_hours (giờ làm việc), calendar_days (ngày) hoặc same_day (trong ngày)."
    )


# -- building blocks ---------------------------------------------------------------------


def _midnight(day: date) -> datetime:
    # Asia/Ho_Chi_Minh has had a fixed offset since 1975, so wall-clock arithmetic from local
    # midnight is exact.
    return datetime(day.year, day.month, day.day, tzinfo=OFFICE_TZ)


def add_working_time(start: datetime, amount: timedelta, calendar: WorkCalendar) -> datetime:
    """The instant at which `amount` of office time has elapsed since `start` (office time).

    Counting begins at the effective start (the first open instant at or after `start`); a
    zero amount returns that effective start. A count ending exactly at a session's close
    returns the close.
    """
    if amount < _ZERO:
        raise ValueError("amount must not be negative")
    moment = to_office(start)
    day = moment.date()
    remaining = amount

    plan = calendar.day_plan(day)
    if plan.spans:
        midnight = _midnight(day)
        for open_at, close_at in plan.spans:
            session_end = midnight + close_at
            if moment >= session_end:
                continue
            begin = max(midnight + open_at, moment)
            available = session_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available

    idle_days = 0
    while True:
        day += _ONE_DAY
        plan = calendar.day_plan(day)
        total = plan.total
        if not total:
            idle_days += 1
            if idle_days > MAX_DAYS_WITHOUT_WORK:
                raise no_working_day_error(moment)
            continue
        idle_days = 0
        if remaining > total:
            remaining -= total
            continue
        midnight = _midnight(day)
        for open_at, close_at in plan.spans:
            available = close_at - open_at
            if remaining <= available:
                return midnight + open_at + remaining
            remaining -= available
        raise AssertionError("unreachable: remaining <= day total")


def working_time_between(start: datetime, end: datetime, calendar: WorkCalendar) -> timedelta:
    """Office time inside sessions between two instants; zero if `end <= start`."""
    first = to_office(start)
    last = to_office(end)
    if last <= first:
        return _ZERO
    first_day, last_day = first.date(), last.date()
    total = _ZERO
    day = first_day
    while day <= last_day:
        plan = calendar.day_plan(day)
        if plan.spans:
            if first_day < day < last_day:
                total += plan.total
            else:
                midnight = _midnight(day)
                for open_at, close_at in plan.spans:
                    low = max(midnight + open_at, first)
                    high = min(midnight + close_at, last)
                    if high > low:
                        total += high - low
        day += _ONE_DAY
    return total


def _close_of(day: date, calendar: WorkCalendar) -> datetime:
    spans = calendar.day_plan(day).spans
    return _midnight(day) + spans[-1][1]


def compute_appointment(
    received_at: datetime, duration: Duration, calendar: WorkCalendar
) -> datetime:
    """The appointment for a dossier received at `received_at` (aware; any zone), in office
    time.

    - working_days / working_hours: `value` × 8 h / `value` h of office time from the
      effective start (see `add_working_time`).
    - calendar_days: receipt date + N days (the receipt day is not counted); if that date is
      not worked, the next working day; at that day's close.
    - same_day: received on a working day before the cut-off and before closing (including
      before opening) -> that day's close; otherwise the next working day's close.
    """
    moment = to_office(received_at)
    kind = duration.kind
    if kind in (WORKING_DAYS, WORKING_HOURS):
        return add_working_time(moment, duration.working_time(), calendar)
    if kind == CALENDAR_DAYS:
        target = moment.date() + timedelta(days=int(duration.value))
        if not calendar.is_working_day(target):
            target = calendar.next_working_day(target)
        return _close_of(target, calendar)
    # same_day
    today = moment.date()
    if calendar.is_working_day(today) and moment.time() < duration.cutoff:
        close = _close_of(today, calendar)
        if moment < close:
            return close
    return _close_of(calendar.next_working_day(today), calendar)


def resume_after_supplement(
    appointment_at: datetime,
    requested_at: datetime,
    supplied_at: datetime,
    calendar: WorkCalendar,
) -> datetime:
    """The new appointment once a requested supplement arrives (the clock stopped meanwhile).

    The office time left at the request (`working_time_between(requested_at,
    appointment_at)`) is counted again from the supply. So the due date moves by the office
    time spent waiting, and calendar-day or same-day appointments move the same way (their
    remaining time is measured in office time too).

    If the request came at or after the appointment, nothing is left: the result is due as
    soon as the office is open at or after `supplied_at` (the effective start), not earlier.
    """
    if to_office(supplied_at) < to_office(requested_at):
        raise InvalidInput(
            "Thời điểm nhận hồ sơ bổ sung không được trước thời điểm yêu cầu bổ sung.",
            field="supplied_at",
        )
    remaining = working_time_between(requested_at, appointment_at, calendar)
    return add_working_time(supplied_at, remaining, calendar)
