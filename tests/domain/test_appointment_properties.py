"""Properties of the appointment rules over random receipts in 2025–2027 (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from counter_app.domain.appointment import (
    Duration,
    add_working_time,
    compute_appointment,
    resume_after_supplement,
    working_time_between,
)
from counter_app.domain.calendar import CalendarOverrides, OfficeHours, WorkCalendar
from counter_app.domain.office_time import OFFICE_TZ

SETTINGS = settings(max_examples=300, deadline=None)

# Calendars built once per module: their years are cached across examples.
DEFAULT = WorkCalendar(
    overrides=CalendarOverrides.from_dict(
        {"days_off": ["2026-01-02"], "working_days": ["2026-01-10"]}
    )
)
IRREGULAR = WorkCalendar(
    OfficeHours.from_dict(
        {
            "mon": [["07:00", "11:30"], ["13:30", "17:00"]],
            "tue": [["07:30", "11:30"], ["13:00", "16:30"]],
            "wed": [["08:00", "12:00"]],
            "thu": [["07:00", "09:00"], ["10:00", "11:00"], ["14:00", "17:30"]],
            "fri": [["07:00", "11:30"], ["13:30", "17:00"]],
            "sat": [["07:30", "11:30"]],
            "sun": [],
        }
    )
)
CALENDARS = st.sampled_from([DEFAULT, IRREGULAR])

ZONES = st.sampled_from([OFFICE_TZ, UTC, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")])
# Times that sit on or next to session edges, cut-offs and midnight.
EDGE_TIMES = st.sampled_from(
    [
        time(0, 0),
        time(6, 59, 59, 999999),
        time(7, 0),
        time(7, 30),
        time(8, 0),
        time(9, 0),
        time(11, 30),
        time(12, 0),
        time(13, 0),
        time(13, 30),
        time(14, 59, 59, 999999),
        time(15, 0),
        time(16, 30),
        time(17, 0),
        time(17, 30),
        time(23, 59, 59, 999999),
    ]
)
FIRST_DAY = date(2025, 1, 1)
DAY_COUNT = (date(2027, 12, 31) - FIRST_DAY).days + 1
EPOCH = datetime(2025, 1, 1, tzinfo=OFFICE_TZ)
MICROS_IN_RANGE = DAY_COUNT * 86_400_000_000


@st.composite
def receipts(draw: st.DrawFn) -> datetime:
    """Aware instants in 2025–2027 (office time), shown in various zones; often on an edge.

    Built from integers rather than `st.datetimes(timezones=...)`, which is several times
    slower to draw and would dominate the suite's run time.
    """
    if draw(st.booleans()):
        day = FIRST_DAY + timedelta(days=draw(st.integers(0, DAY_COUNT - 1)))
        moment = datetime.combine(day, draw(EDGE_TIMES), tzinfo=OFFICE_TZ)
    else:
        moment = EPOCH + timedelta(microseconds=draw(st.integers(0, MICROS_IN_RANGE - 1)))
    return moment.astimezone(draw(ZONES))


WORKING_DAY_VALUES = st.integers(min_value=1, max_value=120).map(lambda n: Decimal(n) / 2)
WORKING_HOUR_VALUES = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal(400), places=2, allow_nan=False
)
CALENDAR_DAY_VALUES = st.integers(min_value=1, max_value=90).map(Decimal)
CUTOFFS = st.times(min_value=time(8), max_value=time(17, 30)).map(
    lambda t: t.replace(second=0, microsecond=0)
)

DURATIONS = st.one_of(
    WORKING_DAY_VALUES.map(lambda v: Duration("working_days", v)),
    WORKING_HOUR_VALUES.map(lambda v: Duration("working_hours", v)),
    CALENDAR_DAY_VALUES.map(lambda v: Duration("calendar_days", v)),
    CUTOFFS.map(Duration.same_day),
)
WORKING_DURATIONS = st.one_of(
    WORKING_DAY_VALUES.map(lambda v: Duration("working_days", v)),
    WORKING_HOUR_VALUES.map(lambda v: Duration("working_hours", v)),
)
AMOUNTS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=500))


def _inside_a_session(calendar: WorkCalendar, moment: datetime) -> bool:
    local = moment.astimezone(OFFICE_TZ)
    sessions = calendar.sessions_on(local.date())
    return any(s.contains(local.time()) for s in sessions)


@SETTINGS
@given(calendar=CALENDARS, received=receipts(), duration=DURATIONS)
def test_appointment_invariants(
    calendar: WorkCalendar, received: datetime, duration: Duration
) -> None:
    result = compute_appointment(received, duration, calendar)
    # In office time, on a working day, inside (or at an end of) one of its sessions.
    assert result.tzinfo is OFFICE_TZ
    assert result.utcoffset() == timedelta(hours=7)
    assert calendar.is_working_day(result.date())
    assert _inside_a_session(calendar, result)
    # Never before (nor at) the receipt.
    assert result > received
    local_day = received.astimezone(OFFICE_TZ).date()
    if duration.is_working_time:
        # Exactly the procedure's office time elapses between receipt and appointment.
        assert working_time_between(received, result, calendar) == duration.working_time()
    else:
        # Day-based kinds end at the close of their day.
        assert result.time() == calendar.sessions_on(result.date())[-1].end
    if duration.kind == "same_day":
        assert result.date() in (local_day, calendar.next_working_day(local_day))
    if duration.kind == "calendar_days":
        assert result.date() >= local_day + timedelta(days=int(duration.value))
        assert result.date() - local_day <= timedelta(days=int(duration.value) + 30)
    assert Duration.from_dict(duration.to_dict()) == duration


@SETTINGS
@given(calendar=CALENDARS, first=receipts(), second=receipts(), duration=DURATIONS)
def test_later_receipt_never_gives_earlier_appointment(
    calendar: WorkCalendar, first: datetime, second: datetime, duration: Duration
) -> None:
    early, late = sorted((first, second))
    assert compute_appointment(early, duration, calendar) <= compute_appointment(
        late, duration, calendar
    )


@st.composite
def two_durations_of_one_kind(draw: st.DrawFn) -> tuple[Duration, Duration]:
    kind, values = draw(
        st.sampled_from(
            [
                ("working_days", WORKING_DAY_VALUES),
                ("working_hours", WORKING_HOUR_VALUES),
                ("calendar_days", CALENDAR_DAY_VALUES),
            ]
        )
    )
    low, high = sorted((draw(values), draw(values)))
    return Duration(kind, low), Duration(kind, high)


@SETTINGS
@given(calendar=CALENDARS, received=receipts(), pair=two_durations_of_one_kind())
def test_more_time_never_gives_earlier_appointment(
    calendar: WorkCalendar, received: datetime, pair: tuple[Duration, Duration]
) -> None:
    shorter, longer = pair
    assert compute_appointment(received, shorter, calendar) <= compute_appointment(
        received, longer, calendar
    )


@SETTINGS
@given(calendar=CALENDARS, start=receipts(), first=AMOUNTS, second=AMOUNTS)
def test_add_working_time_and_working_time_between_agree(
    calendar: WorkCalendar, start: datetime, first: timedelta, second: timedelta
) -> None:
    middle = add_working_time(start, first, calendar)
    end = add_working_time(start, first + second, calendar)
    assert start <= middle <= end
    # working_time_between inverts add_working_time...
    assert working_time_between(start, middle, calendar) == first
    assert working_time_between(start, end, calendar) == first + second
    # ...and is additive over consecutive intervals.
    assert working_time_between(start, middle, calendar) + working_time_between(
        middle, end, calendar
    ) == working_time_between(start, end, calendar)
    # Adding a positive amount from a close continues at the next opening, so two steps
    # equal one (a zero second step stops at the close instead).
    if second > timedelta(0):
        assert add_working_time(middle, second, calendar) == end
    if first > timedelta(0):
        assert _inside_a_session(calendar, middle)


@SETTINGS
@given(
    calendar=CALENDARS,
    received=receipts(),
    duration=WORKING_DURATIONS,
    request_after=AMOUNTS,
    wait=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)),
)
def test_supplement_moves_the_due_date_by_the_waiting_office_time(
    calendar: WorkCalendar,
    received: datetime,
    duration: Duration,
    request_after: timedelta,
    wait: timedelta,
) -> None:
    due = compute_appointment(received, duration, calendar)
    requested = add_working_time(received, request_after, calendar)
    supplied = requested + wait
    new_due = resume_after_supplement(due, requested, supplied, calendar)
    assert new_due >= due
    assert new_due >= supplied
    left = working_time_between(requested, due, calendar)
    assert working_time_between(supplied, new_due, calendar) == left
    if left > timedelta(0):
        # The whole shift is the office time spent waiting.
        waited = working_time_between(requested, supplied, calendar)
        assert working_time_between(due, new_due, calendar) == waited
    # No waiting at all leaves the appointment where it was.
    assert resume_after_supplement(due, received, received, calendar) == due
