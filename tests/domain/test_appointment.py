"""Appointment rules on concrete dates (default hours 07:00–11:30, 13:30–17:00, Mon–Fri)."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from counter_app.domain.appointment import (
    Duration,
    add_working_time,
    compute_appointment,
    resume_after_supplement,
    working_time_between,
)
from counter_app.domain.calendar import CalendarOverrides, OfficeHours, WorkCalendar
from counter_app.domain.errors import InvalidInput
from counter_app.domain.office_time import OFFICE_TZ

NEW_YEAR_2026 = {"days_off": ["2026-01-02"], "working_days": ["2026-01-10"]}


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, *rest: int) -> datetime:
    return datetime(year, month, day, hour, minute, *rest, tzinfo=OFFICE_TZ)


def days(value: str | int) -> Duration:
    return Duration.working_days(value)


def hours(value: str | int) -> Duration:
    return Duration.working_hours(value)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture(scope="module")
def swapped() -> WorkCalendar:
    return WorkCalendar(overrides=CalendarOverrides.from_dict(NEW_YEAR_2026))


@pytest.fixture(scope="module")
def saturday_office() -> WorkCalendar:
    weekday = [["07:00", "11:30"], ["13:30", "17:00"]]
    return WorkCalendar(
        OfficeHours.from_dict(
            {
                "mon": weekday,
                "tue": weekday,
                "wed": weekday,
                "thu": weekday,
                "fri": weekday,
                "sat": [["07:30", "11:30"]],
                "sun": [],
            }
        )
    )


# -- Working time -------------------------------------------------------------------------


def test_count_ending_at_morning_close_gives_the_close(cal: WorkCalendar) -> None:
    # Monday 3 March 2025, 07:00 + 4.5 h: 11:30, not the 13:30 reopening.
    assert compute_appointment(at(2025, 3, 3, 7), hours("4.5"), cal) == at(2025, 3, 3, 11, 30)


def test_full_day_from_opening_ends_at_evening_close(cal: WorkCalendar) -> None:
    assert compute_appointment(at(2025, 3, 3, 7), days(1), cal) == at(2025, 3, 3, 17)


def test_before_opening_counts_from_opening(cal: WorkCalendar) -> None:
    assert compute_appointment(at(2025, 3, 3, 6, 10), days(1), cal) == at(2025, 3, 3, 17)
    # 4.5 h in the morning, then half an hour after lunch.
    assert compute_appointment(at(2025, 3, 3, 6), hours(5), cal) == at(2025, 3, 3, 14)


def test_lunch_break_counts_from_afternoon_opening(cal: WorkCalendar) -> None:
    assert compute_appointment(at(2025, 3, 3, 12, 15), hours(2), cal) == at(2025, 3, 3, 15, 30)
    assert compute_appointment(at(2025, 3, 3, 11, 30), hours(1), cal) == at(2025, 3, 3, 14, 30)


def test_after_closing_counts_from_next_opening(cal: WorkCalendar) -> None:
    assert compute_appointment(at(2025, 3, 4, 18, 30), hours(1), cal) == at(2025, 3, 5, 8)
    assert compute_appointment(at(2025, 3, 4, 17), hours(1), cal) == at(2025, 3, 5, 8)


def test_morning_receipt_crosses_lunch(cal: WorkCalendar) -> None:
    # 10:00 -> 11:30 is 1.5 h, then 13:30 + 1.5 h.
    assert compute_appointment(at(2025, 3, 3, 10), hours(3), cal) == at(2025, 3, 3, 15)


def test_friday_afternoon_spills_over_the_weekend(cal: WorkCalendar) -> None:
    # Friday 7 March 2025 15:00: 2 h on Friday, 6 h on Monday 10 March.
    assert compute_appointment(at(2025, 3, 7, 15), days(1), cal) == at(2025, 3, 10, 15)


def test_half_a_working_day_is_four_hours(cal: WorkCalendar) -> None:
    assert compute_appointment(at(2025, 3, 3, 7), days("0.5"), cal) == at(2025, 3, 3, 11)
    assert compute_appointment(at(2025, 3, 3, 9), days("0.5"), cal) == at(2025, 3, 3, 15)


def test_several_working_days(cal: WorkCalendar) -> None:
    # Mon 08:00 + 3 days = 24 h: Mon 7 h, Tue 8 h, Wed 8 h, Thu 1 h.
    assert compute_appointment(at(2025, 3, 3, 8), days(3), cal) == at(2025, 3, 6, 8)
    # Ten working days from a Monday opening end on the second Friday's close.
    assert compute_appointment(at(2025, 3, 3, 7), days(10), cal) == at(2025, 3, 14, 17)


def test_lunar_new_year_2026(cal: WorkCalendar) -> None:
    # Friday 13 Feb 2026 15:00: 2 h, then Tết 16–20 Feb and the weekends, 6 h on Mon 23 Feb.
    result = compute_appointment(at(2026, 2, 13, 15), days(1), cal)
    assert result == at(2026, 2, 23, 15)


def test_reunification_and_labour_day_2026(cal: WorkCalendar) -> None:
    # Wed 29 Apr 2026 09:00, 2 days = 16 h: Wed 6 h; Thu 30/4, Fri 1/5 off; Mon 8 h; Tue 2 h.
    assert compute_appointment(at(2026, 4, 29, 9), days(2), cal) == at(2026, 5, 5, 9)
    assert compute_appointment(at(2026, 4, 29, 17, 30), days(1), cal) == at(2026, 5, 4, 17)


def test_observed_hung_kings_day_2026(cal: WorkCalendar) -> None:
    # Fri 24 Apr 2026 16:00 + 2 h: 1 h Friday; Sun 26 is the day, Mon 27 observed; Tue 08:00.
    assert compute_appointment(at(2026, 4, 24, 16), hours(2), cal) == at(2026, 4, 28, 8)


def test_make_up_saturday_2025_is_worked(cal: WorkCalendar) -> None:
    # Fri 25 Apr 2025 16:00 + 2 h: 1 h Friday, then Saturday 26 Apr (worked) 07:00-08:00.
    assert compute_appointment(at(2025, 4, 25, 16), hours(2), cal) == at(2025, 4, 26, 8)


def test_swapped_day_off_2025(cal: WorkCalendar) -> None:
    # Tue 29 Apr 2025 09:00 + 16 h: Tue 6 h; 30/4, 1/5, 2/5 (swapped) off; Mon 5/5 8 h; Tue 2 h.
    assert compute_appointment(at(2025, 4, 29, 9), days(2), cal) == at(2025, 5, 6, 9)


def test_make_up_saturday_2026_has_normal_hours(cal: WorkCalendar) -> None:
    # Fri 21 Aug 2026 16:00 + 9 h: 1 h Friday + a full 8-hour Saturday 22 Aug, ending at 17:00.
    assert compute_appointment(at(2026, 8, 21, 16), hours(9), cal) == at(2026, 8, 22, 17)


def test_swapped_day_off_and_national_day_2026(cal: WorkCalendar) -> None:
    # Fri 28 Aug 2026 16:00 + 2 h: Mon 31/8 (swapped), Tue 1/9, Wed 2/9 off -> Thu 3/9 08:00.
    assert compute_appointment(at(2026, 8, 28, 16), hours(2), cal) == at(2026, 9, 3, 8)


def test_override_changes_the_result(cal: WorkCalendar, swapped: WorkCalendar) -> None:
    # Wed 31 Dec 2025 16:00 + 2 h: the library alone works Fri 2 Jan 2026.
    received = at(2025, 12, 31, 16)
    assert compute_appointment(received, hours(2), cal) == at(2026, 1, 2, 8)
    assert compute_appointment(received, hours(2), swapped) == at(2026, 1, 5, 8)
    # Fri 9 Jan 2026 16:00 + 2 h: Saturday 10 Jan is worked under the override.
    received = at(2026, 1, 9, 16)
    assert compute_appointment(received, hours(2), cal) == at(2026, 1, 12, 8)
    assert compute_appointment(received, hours(2), swapped) == at(2026, 1, 10, 8)


def test_custom_saturday_morning(saturday_office: WorkCalendar) -> None:
    # Fri 7 Mar 2025 16:00 + 3 h: 1 h Friday, Saturday 07:30 + 2 h.
    assert compute_appointment(at(2025, 3, 7, 16), hours(3), saturday_office) == at(
        2025, 3, 8, 9, 30
    )
    # Saturday 10:00 + 1 day: 1.5 h Saturday, 6.5 h Monday (4.5 + 2).
    assert compute_appointment(at(2025, 3, 8, 10), days(1), saturday_office) == at(
        2025, 3, 10, 15, 30
    )


def test_utc_input_gives_the_same_instant(cal: WorkCalendar) -> None:
    local = at(2025, 3, 7, 15)
    utc = datetime(2025, 3, 7, 8, 0, tzinfo=UTC)
    paris = datetime(2025, 3, 7, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
    for duration in (days(1), hours("2.5"), Duration.calendar_days(3), Duration.same_day()):
        expected = compute_appointment(local, duration, cal)
        assert compute_appointment(utc, duration, cal) == expected
        assert compute_appointment(paris, duration, cal) == expected
    result = compute_appointment(utc, days(1), cal)
    assert result.tzinfo is OFFICE_TZ
    assert (result.year, result.month, result.day, result.hour) == (2025, 3, 10, 15)


def test_office_date_not_utc_date_decides(cal: WorkCalendar) -> None:
    # 23:30 UTC on Sunday 2 March is 06:30 on Monday 3 March in Hà Nội.
    received = datetime(2025, 3, 2, 23, 30, tzinfo=UTC)
    assert compute_appointment(received, Duration.same_day(), cal) == at(2025, 3, 3, 17)
    assert compute_appointment(received, hours(1), cal) == at(2025, 3, 3, 8)


def test_naive_receipt_is_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        compute_appointment(datetime(2025, 3, 3, 9), days(1), cal)


def test_exact_sub_second_arithmetic(cal: WorkCalendar) -> None:
    received = at(2025, 3, 3, 9, 0, 0, 123456)
    assert compute_appointment(received, hours(1), cal) == at(2025, 3, 3, 10, 0, 0, 123456)
    # 0.1 h is exactly 6 minutes; 1/3 of an hour rounds to the microsecond.
    assert compute_appointment(at(2025, 3, 3, 9), hours("0.1"), cal) == at(2025, 3, 3, 9, 6)
    third = Duration.working_hours("0.3333333333")
    assert third.working_time() == timedelta(seconds=1200)  # 1199.99999988 s
    assert days("0.5").working_time() == timedelta(hours=4)
    assert hours("1.25").working_time() == timedelta(minutes=75)
    # 60 working days is exactly 480 hours.
    assert days(60).working_time() == timedelta(hours=480)


# -- Calendar days ------------------------------------------------------------------------


def test_calendar_days_plain(cal: WorkCalendar) -> None:
    # The receipt day is not counted: Mon 3 Mar + 15 days = Tue 18 Mar, at its close.
    assert compute_appointment(at(2025, 3, 3, 10), Duration.calendar_days(15), cal) == at(
        2025, 3, 18, 17
    )
    # The receipt time does not matter.
    assert compute_appointment(at(2025, 3, 3, 18), Duration.calendar_days(15), cal) == at(
        2025, 3, 18, 17
    )


def test_calendar_days_landing_on_a_weekend(cal: WorkCalendar) -> None:
    # Mon 3 Mar + 5 days = Saturday 8 Mar -> Monday 10 Mar 17:00.
    assert compute_appointment(at(2025, 3, 3, 10), Duration.calendar_days(5), cal) == at(
        2025, 3, 10, 17
    )


def test_calendar_days_landing_on_a_holiday(cal: WorkCalendar) -> None:
    # Wed 15 Apr 2026 + 15 days = Thu 30 Apr (holiday), 1 May, weekend -> Mon 4 May 17:00.
    assert compute_appointment(at(2026, 4, 15, 9), Duration.calendar_days(15), cal) == at(
        2026, 5, 4, 17
    )
    # Landing in Tết 2026.
    assert compute_appointment(at(2026, 2, 10, 9), Duration.calendar_days(7), cal) == at(
        2026, 2, 23, 17
    )


def test_calendar_days_landing_on_a_make_up_saturday(cal: WorkCalendar) -> None:
    assert compute_appointment(at(2025, 4, 21, 9), Duration.calendar_days(5), cal) == at(
        2025, 4, 26, 17
    )


def test_calendar_days_end_at_that_days_close(saturday_office: WorkCalendar) -> None:
    assert compute_appointment(
        at(2025, 3, 3, 10), Duration.calendar_days(5), saturday_office
    ) == at(2025, 3, 8, 11, 30)


# -- Same day -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (at(2025, 3, 3, 14, 59), at(2025, 3, 3, 17)),  # before the cut-off
        (at(2025, 3, 3, 14, 59, 59, 999999), at(2025, 3, 3, 17)),
        (at(2025, 3, 3, 15), at(2025, 3, 4, 17)),  # at the cut-off: not "before"
        (at(2025, 3, 3, 16, 30), at(2025, 3, 4, 17)),  # after the cut-off
        (at(2025, 3, 3, 6, 30), at(2025, 3, 3, 17)),  # before opening counts as before
        (at(2025, 3, 3, 12), at(2025, 3, 3, 17)),  # lunch break
        (at(2025, 3, 3, 18), at(2025, 3, 4, 17)),  # after closing
        (at(2025, 3, 7, 15, 30), at(2025, 3, 10, 17)),  # Friday after cut-off -> Monday
        (at(2025, 3, 8, 9), at(2025, 3, 10, 17)),  # Saturday
        (at(2026, 4, 30, 9), at(2026, 5, 4, 17)),  # a holiday
        (at(2026, 2, 13, 15, 1), at(2026, 2, 23, 17)),  # just before Tết
        (at(2025, 4, 26, 10), at(2025, 4, 26, 17)),  # make-up Saturday
    ],
)
def test_same_day(cal: WorkCalendar, received: datetime, expected: datetime) -> None:
    assert compute_appointment(received, Duration.same_day(), cal) == expected


def test_same_day_custom_cutoff(cal: WorkCalendar) -> None:
    early = Duration.same_day(time(10, 0))
    assert compute_appointment(at(2025, 3, 3, 9, 59), early, cal) == at(2025, 3, 3, 17)
    assert compute_appointment(at(2025, 3, 3, 10, 30), early, cal) == at(2025, 3, 4, 17)
    # A cut-off later than the close never keeps an after-hours receipt on the same day.
    late = Duration.same_day(time(18, 0))
    assert compute_appointment(at(2025, 3, 3, 17, 30), late, cal) == at(2025, 3, 4, 17)


def test_same_day_on_a_saturday_morning(saturday_office: WorkCalendar) -> None:
    same_day = Duration.same_day()
    assert compute_appointment(at(2025, 3, 8, 10), same_day, saturday_office) == at(
        2025, 3, 8, 11, 30
    )
    assert compute_appointment(at(2025, 3, 8, 12), same_day, saturday_office) == at(2025, 3, 10, 17)
    assert compute_appointment(at(2025, 3, 7, 15, 30), same_day, saturday_office) == at(
        2025, 3, 8, 11, 30
    )


# -- Building blocks ----------------------------------------------------------------------


def test_add_working_time_zero_gives_effective_start(cal: WorkCalendar) -> None:
    assert add_working_time(at(2025, 3, 3, 9), timedelta(0), cal) == at(2025, 3, 3, 9)
    assert add_working_time(at(2025, 3, 3, 11, 30), timedelta(0), cal) == at(2025, 3, 3, 13, 30)
    assert add_working_time(at(2025, 3, 3, 6), timedelta(0), cal) == at(2025, 3, 3, 7)
    assert add_working_time(at(2025, 3, 7, 17), timedelta(0), cal) == at(2025, 3, 10, 7)


def test_add_working_time_refuses_negative(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        add_working_time(at(2025, 3, 3, 9), timedelta(minutes=-1), cal)


def test_working_time_between(cal: WorkCalendar) -> None:
    assert working_time_between(at(2025, 3, 3, 8), at(2025, 3, 3, 10), cal) == timedelta(hours=2)
    # 10:00-11:30 and 13:30-14:00; the lunch break does not count.
    assert working_time_between(at(2025, 3, 3, 10), at(2025, 3, 3, 14), cal) == timedelta(hours=2)
    assert working_time_between(at(2025, 3, 3, 9), at(2025, 3, 5, 9), cal) == timedelta(hours=16)
    # Friday 16:00 -> Monday 08:00 over the weekend: 2 h.
    assert working_time_between(at(2025, 3, 7, 16), at(2025, 3, 10, 8), cal) == timedelta(hours=2)
    # Outside hours, and reversed or empty intervals.
    assert working_time_between(at(2025, 3, 3, 18), at(2025, 3, 4, 6), cal) == timedelta(0)
    assert working_time_between(at(2025, 3, 4), at(2025, 3, 3), cal) == timedelta(0)
    assert working_time_between(at(2025, 3, 3, 9), at(2025, 3, 3, 9), cal) == timedelta(0)
    # Through Tết 2026: Fri 13 Feb 15:00 -> Mon 23 Feb 09:00 is 2 h + 2 h.
    assert working_time_between(at(2026, 2, 13, 15), at(2026, 2, 23, 9), cal) == timedelta(hours=4)


def test_calendar_without_work_raises_instead_of_looping() -> None:
    everything_off = frozenset(date(2026, 1, 1) + timedelta(days=i) for i in range(4 * 366))
    calendar = WorkCalendar(overrides=CalendarOverrides(days_off=everything_off))
    with pytest.raises(InvalidInput):
        compute_appointment(at(2025, 12, 31, 16), days(1), calendar)
    with pytest.raises(InvalidInput):
        compute_appointment(at(2025, 12, 31, 16), Duration.same_day(), calendar)


# -- Supplement (the clock stops while waiting) --------------------------------------------


def test_supplement_shifts_due_date_by_the_waiting_time(cal: WorkCalendar) -> None:
    received = at(2025, 3, 3, 8)  # Monday
    due = compute_appointment(received, days(3), cal)
    assert due == at(2025, 3, 6, 8)  # Thursday
    requested = at(2025, 3, 4, 10)  # day 2 of 3: 14 working hours left
    supplied = at(2025, 3, 11, 10)  # five working days later
    assert working_time_between(requested, supplied, cal) == timedelta(hours=40)
    new_due = resume_after_supplement(due, requested, supplied, cal)
    assert new_due == at(2025, 3, 13, 8)  # Thursday + 5 working days
    assert working_time_between(due, new_due, cal) == timedelta(hours=40)


def test_supplement_waiting_over_tet(cal: WorkCalendar) -> None:
    due = at(2026, 2, 12, 17)  # Thursday
    requested = at(2026, 2, 11, 17)  # Wednesday close: one working day left
    supplied = at(2026, 2, 23, 9)  # first morning after Tết
    assert resume_after_supplement(due, requested, supplied, cal) == at(2026, 2, 24, 9)


def test_supplement_without_waiting_keeps_the_appointment(cal: WorkCalendar) -> None:
    due = at(2025, 3, 6, 8)
    moment = at(2025, 3, 4, 10)
    assert resume_after_supplement(due, moment, moment, cal) == due


def test_supplement_requested_after_due_resumes_at_effective_start(cal: WorkCalendar) -> None:
    due = at(2025, 3, 6, 8)
    requested = at(2025, 3, 7, 9)
    assert resume_after_supplement(due, requested, at(2025, 3, 7, 18), cal) == at(2025, 3, 10, 7)
    assert resume_after_supplement(due, requested, at(2025, 3, 10, 9), cal) == at(2025, 3, 10, 9)


def test_supplement_cannot_arrive_before_the_request(cal: WorkCalendar) -> None:
    with pytest.raises(InvalidInput) as caught:
        resume_after_supplement(at(2025, 3, 6, 8), at(2025, 3, 4, 10), at(2025, 3, 4, 9), cal)
    assert "bổ sung" in caught.value.message


# -- Duration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected", "text"),
    [
        ({"kind": "working_days", "value": 3}, Duration("working_days", Decimal(3)), None),
        ({"kind": "working_days", "value": 0.5}, days("0.5"), "0,5 ngày làm việc"),
        ({"kind": "working_hours", "value": 4}, hours(4), "4 giờ làm việc"),
        ({"kind": "working_hours", "value": 1.5}, hours("1.5"), "1,5 giờ làm việc"),
        ({"kind": "calendar_days", "value": 15}, Duration.calendar_days(15), "15 ngày"),
        ({"kind": "calendar_days", "value": 15.0}, Duration.calendar_days(15), "15 ngày"),
        (
            {"kind": "same_day", "cutoff": "15:00"},
            Duration.same_day(),
            "Trong ngày (nhận trước 15:00)",
        ),
        ({"kind": "same_day"}, Duration.same_day(), None),
        (
            {"kind": "same_day", "cutoff": "10:30"},
            Duration.same_day(time(10, 30)),
            "Trong ngày (nhận trước 10:30)",
        ),
    ],
)
def test_duration_from_dict(data: dict[str, object], expected: Duration, text: str | None) -> None:
    duration = Duration.from_dict(data)
    assert duration == expected
    assert Duration.from_dict(duration.to_dict()) == duration
    if text is not None:
        assert duration.describe_vi() == text


def test_duration_describe_and_dict_form() -> None:
    assert days(3).describe_vi() == "3 ngày làm việc"
    assert Duration.working_days(Decimal("3.00")).describe_vi() == "3 ngày làm việc"
    assert days("0.5").to_dict() == {"kind": "working_days", "value": 0.5}
    assert days(3).to_dict() == {"kind": "working_days", "value": 3}
    assert Duration.same_day().to_dict() == {"kind": "same_day", "cutoff": "15:00"}
    precise = Duration.working_hours(Decimal("0.12345678901234567891"))
    assert Duration.from_dict(precise.to_dict()) == precise


@pytest.mark.parametrize(
    ("data", "fragment", "field"),
    [
        ({"kind": "weeks", "value": 2}, "'weeks' không hợp lệ", "kind"),
        ({"value": 2}, "Thiếu loại thời hạn", "kind"),
        ({"kind": "working_days"}, "Thiếu số lượng", "value"),
        ({"kind": "working_days", "value": None}, "Thiếu số lượng", "value"),
        ({"kind": "working_days", "value": -1}, "lớn hơn 0", "value"),
        ({"kind": "working_hours", "value": 0}, "lớn hơn 0", "value"),
        ({"kind": "working_days", "value": "ba"}, "'ba' không phải là một số", "value"),
        ({"kind": "working_days", "value": True}, "không phải là một số", "value"),
        ({"kind": "working_days", "value": float("nan")}, "không phải là một số", "value"),
        ({"kind": "working_days", "value": float("inf")}, "không phải là một số", "value"),
        ({"kind": "calendar_days", "value": 1.5}, "số nguyên ngày", "value"),
        ({"kind": "working_days", "value": 5000}, "quá lớn", "value"),
        ({"kind": "same_day", "cutoff": "25:00"}, "'25:00' không đúng dạng HH:MM", "cutoff"),
        ({"kind": "same_day", "cutoff": "3pm"}, "'3pm'", "cutoff"),
        ({"kind": "same_day", "cutoff": 15}, "HH:MM", "cutoff"),
        ({"kind": "working_days", "value": 3, "cutoff": "15:00"}, "same_day", "cutoff"),
        ({"kind": "working_days", "vaule": 3}, "'vaule'", "vaule"),
    ],
)
def test_duration_from_dict_errors(data: dict[str, object], fragment: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Duration.from_dict(data)
    assert fragment in caught.value.message
    assert caught.value.field == field


def test_duration_from_dict_rejects_non_mapping() -> None:
    with pytest.raises(InvalidInput):
        Duration.from_dict("3 ngày")  # type: ignore[arg-type]


def test_duration_constructor_validates() -> None:
    with pytest.raises(InvalidInput):
        Duration("days", Decimal(1))
    with pytest.raises(InvalidInput):
        Duration.working_days(0)
    with pytest.raises(InvalidInput):
        Duration.calendar_days(0)
    assert Duration("same_day", Decimal(7)) == Duration.same_day()
    with pytest.raises(ValueError):
        Duration.calendar_days(3).working_time()


# -- Speed ---------------------------------------------------------------------------------


def test_sixty_working_days_is_fast(cal: WorkCalendar) -> None:
    duration = days(60)
    received = at(2026, 1, 5, 9, 17)
    expected = compute_appointment(received, duration, cal)  # builds the years once
    assert working_time_between(received, expected, cal) == timedelta(hours=480)
    runs = 200
    started = clock.perf_counter()
    for _ in range(runs):
        compute_appointment(received, duration, cal)
    per_call = (clock.perf_counter() - started) / runs
    assert per_call < 0.001, f"{per_call * 1e6:.0f} µs per appointment"
