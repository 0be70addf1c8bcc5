"""The office calendar: weekly hours, statutory days off from `holidays`, swaps, overrides."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from counter_app.domain.calendar import (
    CalendarOverrides,
    OfficeHours,
    Session,
    WorkCalendar,
    parse_clock,
)
from counter_app.domain.errors import InvalidInput

MORNING = Session(time(7, 0), time(11, 30))
AFTERNOON = Session(time(13, 30), time(17, 0))
NORMAL = (MORNING, AFTERNOON)

# The 2026 New Year swap the library misses, the way an imported calendar file gives it.
NEW_YEAR_2026 = {"days_off": ["2026-01-02"], "working_days": ["2026-01-10"]}

SATURDAY_MORNING_HOURS = {
    "mon": [["07:00", "11:30"], ["13:30", "17:00"]],
    "tue": [["07:00", "11:30"], ["13:30", "17:00"]],
    "wed": [["07:00", "11:30"], ["13:30", "17:00"]],
    "thu": [["07:00", "11:30"], ["13:30", "17:00"]],
    "fri": [["07:00", "11:30"], ["13:30", "17:00"]],
    "sat": [["07:30", "11:30"]],
    "sun": [],
}


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


# -- OfficeHours ---------------------------------------------------------------------------


def test_default_hours_are_weekdays_with_lunch_break() -> None:
    hours = OfficeHours.default()
    for weekday in range(5):
        assert hours.sessions_for_weekday(weekday) == NORMAL
    assert hours.sessions_for_weekday(5) == ()
    assert hours.sessions_for_weekday(6) == ()
    assert hours.normal_sessions == NORMAL
    assert sum((s.length for s in NORMAL), timedelta()) == timedelta(hours=8)


def test_default_hours_dict_form() -> None:
    assert OfficeHours.default().to_dict() == {
        "mon": [["07:00", "11:30"], ["13:30", "17:00"]],
        "tue": [["07:00", "11:30"], ["13:30", "17:00"]],
        "wed": [["07:00", "11:30"], ["13:30", "17:00"]],
        "thu": [["07:00", "11:30"], ["13:30", "17:00"]],
        "fri": [["07:00", "11:30"], ["13:30", "17:00"]],
        "sat": [],
        "sun": [],
    }


def test_hours_round_trip_through_dict() -> None:
    hours = OfficeHours.from_dict(SATURDAY_MORNING_HOURS)
    assert hours.sessions_for_weekday(5) == (Session(time(7, 30), time(11, 30)),)
    assert hours.to_dict() == SATURDAY_MORNING_HOURS
    assert OfficeHours.from_dict(hours.to_dict()) == hours
    assert OfficeHours.from_dict(OfficeHours.default().to_dict()) == OfficeHours.default()


def test_missing_weekday_means_closed() -> None:
    hours = OfficeHours.from_dict({"mon": [["08:00", "12:00"]]})
    assert hours.sessions_for_weekday(0) == (Session(time(8), time(12)),)
    assert all(hours.sessions_for_weekday(i) == () for i in range(1, 7))


def test_normal_sessions_fall_back_to_first_open_weekday() -> None:
    hours = OfficeHours.from_dict({"wed": [["08:00", "12:00"]], "thu": [["09:00", "10:00"]]})
    assert hours.normal_sessions == (Session(time(8), time(12)),)


@pytest.mark.parametrize(
    ("data", "fragments", "field"),
    [
        ({"tue": [["7h", "11:30"]]}, ["Thứ Ba", "7h", "HH:MM"], "tue"),
        ({"wed": [["07:00", "24:00"]]}, ["Thứ Tư", "24:00"], "wed"),
        ({"thu": [["11:30", "07:00"]]}, ["Thứ Năm", "11:30–07:00", "bắt đầu"], "thu"),
        ({"fri": [["07:00", "07:00"]]}, ["Thứ Sáu"], "fri"),
        (
            {"mon": [["07:00", "12:00"], ["11:30", "17:00"]]},
            ["Thứ Hai", "chồng lên nhau", "07:00–12:00", "11:30–17:00"],
            "mon",
        ),
        (
            {"sat": [["13:30", "17:00"], ["07:00", "11:30"]]},
            ["Thứ Bảy", "thứ tự"],
            "sat",
        ),
        ({"sun": [["07:00"]]}, ["Chủ nhật", "hai giờ"], "sun"),
        ({"mon": "07:00-11:30"}, ["Thứ Hai", "danh sách"], "mon"),
        ({"monday": [["07:00", "11:30"]]}, ["monday"], "monday"),
        ({"mon": [], "sat": []}, ["ít nhất một ngày"], None),
        ({}, ["ít nhất một ngày"], None),
    ],
)
def test_hours_from_dict_errors_name_the_weekday(
    data: dict[str, object], fragments: list[str], field: str | None
) -> None:
    with pytest.raises(InvalidInput) as caught:
        OfficeHours.from_dict(data)
    for fragment in fragments:
        assert fragment in caught.value.message
    assert caught.value.field == field


def test_hours_from_dict_rejects_non_mapping() -> None:
    with pytest.raises(InvalidInput):
        OfficeHours.from_dict([["07:00", "11:30"]])  # type: ignore[arg-type]


def test_session_validation() -> None:
    with pytest.raises(InvalidInput):
        Session(time(12), time(8))
    with pytest.raises(InvalidInput):
        Session(time(8, 0, 30), time(12))
    assert Session(time(7), time(11, 30)).contains(time(11, 30))
    assert not Session(time(7), time(11, 30)).contains(time(11, 30, 0, 1))


def test_parse_clock() -> None:
    assert parse_clock("07:00") == time(7)
    assert parse_clock("7:05") == time(7, 5)
    for bad in ("7", "07:60", "25:00", "07.00", "", "07:00:00", None, 700):
        with pytest.raises(ValueError):
            parse_clock(bad)


# -- CalendarOverrides ---------------------------------------------------------------------


def test_overrides_round_trip() -> None:
    overrides = CalendarOverrides.from_dict(NEW_YEAR_2026)
    assert overrides.days_off == frozenset({date(2026, 1, 2)})
    assert overrides.working_days == frozenset({date(2026, 1, 10)})
    assert overrides.to_dict() == NEW_YEAR_2026
    assert CalendarOverrides.from_dict(overrides.to_dict()) == overrides
    assert CalendarOverrides.from_dict({}) == CalendarOverrides.empty()


@pytest.mark.parametrize(
    ("data", "fragments", "field"),
    [
        ({"days_off": ["2026-02-30"]}, ["2026-02-30", "YYYY-MM-DD"], "days_off"),
        ({"days_off": ["02/01/2026"]}, ["02/01/2026"], "days_off"),
        ({"working_days": ["20260110"]}, ["20260110", "làm việc bù"], "working_days"),
        ({"working_days": [20260110]}, ["20260110"], "working_days"),
        ({"days_off": "2026-01-02"}, ["danh sách"], "days_off"),
        (
            {"days_off": ["2026-01-02"], "working_days": ["2026-01-02"]},
            ["02/01/2026", "vừa là ngày nghỉ"],
            "days_off",
        ),
        ({"day_off": ["2026-01-02"]}, ["day_off"], "day_off"),
    ],
)
def test_overrides_from_dict_errors(
    data: dict[str, object], fragments: list[str], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        CalendarOverrides.from_dict(data)
    for fragment in fragments:
        assert fragment in caught.value.message
    assert caught.value.field == field


def test_overrides_refuse_datetimes() -> None:
    with pytest.raises(TypeError):
        CalendarOverrides(days_off=frozenset({datetime(2026, 1, 2)}))


# -- Statutory days off (checked against holidays.Vietnam's output) ------------------------


def test_ordinary_week(cal: WorkCalendar) -> None:
    assert cal.sessions_on(date(2025, 3, 3)) == NORMAL  # Monday
    assert cal.is_working_day(date(2025, 3, 7))  # Friday
    assert not cal.is_working_day(date(2025, 3, 8))  # Saturday
    assert cal.sessions_on(date(2025, 3, 9)) == ()  # Sunday
    assert cal.day_off_reason(date(2025, 3, 8)) == "Nghỉ cuối tuần"
    assert cal.day_off_reason(date(2025, 3, 7)) is None
    assert cal.closing_time(date(2025, 3, 7)) == time(17)
    assert cal.closing_time(date(2025, 3, 8)) is None


def test_lunar_new_year_2026(cal: WorkCalendar) -> None:
    for day in range(16, 21):
        assert not cal.is_working_day(date(2026, 2, day)), day
        assert cal.sessions_on(date(2026, 2, day)) == ()
    assert "Tết Nguyên Đán" in (cal.day_off_reason(date(2026, 2, 17)) or "")
    assert cal.is_working_day(date(2026, 2, 13))
    assert cal.is_working_day(date(2026, 2, 23))
    assert cal.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)


def test_reunification_and_labour_day_2026(cal: WorkCalendar) -> None:
    assert not cal.is_working_day(date(2026, 4, 30))  # Thursday
    assert not cal.is_working_day(date(2026, 5, 1))  # Friday
    assert cal.next_working_day(date(2026, 4, 29)) == date(2026, 5, 4)


def test_hung_kings_2026_is_observed_on_monday(cal: WorkCalendar) -> None:
    assert not cal.is_working_day(date(2026, 4, 27))
    assert "Hùng Vương" in (cal.day_off_reason(date(2026, 4, 27)) or "")
    # The day itself is a Sunday: off, and named as the holiday rather than a weekend.
    assert cal.day_off_reason(date(2026, 4, 26)) == "Ngày Giỗ Tổ Hùng Vương"
    assert cal.next_working_day(date(2026, 4, 24)) == date(2026, 4, 28)


def test_make_up_saturdays_are_worked_with_normal_hours(cal: WorkCalendar) -> None:
    assert cal.sessions_on(date(2025, 4, 26)) == NORMAL
    assert cal.sessions_on(date(2026, 8, 22)) == NORMAL
    assert cal.day_off_reason(date(2025, 4, 26)) is None
    # ...and the swapped weekdays are off.
    assert not cal.is_working_day(date(2025, 5, 2))
    assert not cal.is_working_day(date(2026, 8, 31))
    assert cal.next_working_day(date(2025, 4, 25)) == date(2025, 4, 26)
    assert cal.next_working_day(date(2026, 8, 28)) == date(2026, 9, 3)


def test_library_misses_new_year_2026_swap_until_overridden(cal: WorkCalendar) -> None:
    assert cal.is_working_day(date(2026, 1, 2))
    assert not cal.is_working_day(date(2026, 1, 10))
    swapped = WorkCalendar(overrides=CalendarOverrides.from_dict(NEW_YEAR_2026))
    assert not swapped.is_working_day(date(2026, 1, 2))
    assert swapped.day_off_reason(date(2026, 1, 2)) == "Ngày nghỉ theo lịch điều chỉnh"
    assert swapped.sessions_on(date(2026, 1, 10)) == NORMAL
    assert swapped.next_working_day(date(2025, 12, 31)) == date(2026, 1, 5)
    assert swapped.next_working_day(date(2026, 1, 9)) == date(2026, 1, 10)


def test_override_day_off_beats_make_up_saturday() -> None:
    calendar = WorkCalendar(overrides=CalendarOverrides(days_off=frozenset({date(2025, 4, 26)})))
    assert not calendar.is_working_day(date(2025, 4, 26))


def test_override_working_day_beats_statutory_day_off() -> None:
    calendar = WorkCalendar(
        overrides=CalendarOverrides(working_days=frozenset({date(2026, 4, 30)}))
    )
    assert calendar.sessions_on(date(2026, 4, 30)) == NORMAL
    assert calendar.day_off_reason(date(2026, 4, 30)) is None


def test_saturday_office_works_make_up_saturday_in_full() -> None:
    calendar = WorkCalendar(OfficeHours.from_dict(SATURDAY_MORNING_HOURS))
    assert calendar.sessions_on(date(2025, 3, 8)) == (Session(time(7, 30), time(11, 30)),)
    assert calendar.sessions_on(date(2025, 4, 26)) == NORMAL
    assert not calendar.is_working_day(date(2025, 3, 9))
    assert calendar.next_working_day(date(2025, 3, 7)) == date(2025, 3, 8)


def test_closed_weekday_reason() -> None:
    hours = OfficeHours.from_dict({"mon": [["07:00", "11:00"]], "tue": [["07:00", "11:00"]]})
    calendar = WorkCalendar(hours)
    assert calendar.day_off_reason(date(2025, 3, 5)) == "Không làm việc vào Thứ Tư"
    assert calendar.next_working_day(date(2025, 3, 4)) == date(2025, 3, 10)


def test_next_working_day_is_strictly_after(cal: WorkCalendar) -> None:
    assert cal.next_working_day(date(2025, 3, 3)) == date(2025, 3, 4)
    assert cal.next_working_day(date(2025, 3, 7)) == date(2025, 3, 10)
    assert cal.next_working_day(date(2025, 3, 8)) == date(2025, 3, 10)


def test_days_off_in_year_lists_holidays_and_overrides() -> None:
    calendar = WorkCalendar(overrides=CalendarOverrides.from_dict(NEW_YEAR_2026))
    days = dict(calendar.days_off_in_year(2026))
    assert list(days) == sorted(days)
    assert days[date(2026, 1, 1)] == "Tết Dương lịch"
    assert days[date(2026, 1, 2)] == "Ngày nghỉ theo lịch điều chỉnh"
    assert {date(2026, 2, d) for d in range(16, 21)} <= set(days)
    assert {date(2026, 4, 26), date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1)} <= set(days)
    assert {date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)} <= set(days)
    assert date(2026, 1, 3) not in days  # an ordinary Saturday is not listed
    assert all(day.year == 2026 for day in days)
    assert calendar.working_weekend_days_in_year(2026) == [date(2026, 1, 10), date(2026, 8, 22)]
    assert calendar.working_weekend_days_in_year(2025) == [date(2025, 4, 26)]


def test_days_off_in_year_drops_a_holiday_worked_by_override() -> None:
    calendar = WorkCalendar(
        overrides=CalendarOverrides(working_days=frozenset({date(2026, 4, 30)}))
    )
    assert date(2026, 4, 30) not in dict(calendar.days_off_in_year(2026))
    assert date(2026, 4, 30) in calendar.working_weekend_days_in_year(2026)


def test_years_are_built_lazily_and_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import holidays

    real = holidays.Vietnam
    built: list[object] = []

    def spy(*args: object, **kwargs: object) -> object:
        built.append(kwargs.get("years", args[0] if args else None))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(holidays, "Vietnam", spy)
    calendar = WorkCalendar(overrides=CalendarOverrides.from_dict(NEW_YEAR_2026))
    assert built == []
    assert not calendar.is_working_day(date(2026, 2, 17))
    assert built == [2026]
    calendar.sessions_on(date(2026, 3, 2))
    calendar.next_working_day(date(2026, 2, 13))
    calendar.days_off_in_year(2026)
    calendar.working_weekend_days_in_year(2026)
    calendar.day_off_reason(date(2026, 1, 2))
    assert built == [2026]
    calendar.is_working_day(date(2027, 2, 8))
    assert built == [2026, 2027]


def test_calendar_with_no_working_day_for_years_raises() -> None:
    start = date(2026, 1, 1)
    everything_off = frozenset(start + timedelta(days=i) for i in range(4 * 366))
    calendar = WorkCalendar(overrides=CalendarOverrides(days_off=everything_off))
    with pytest.raises(InvalidInput, match="3 năm"):
        calendar.next_working_day(date(2025, 12, 31))


def test_dates_only(cal: WorkCalendar) -> None:
    with pytest.raises(TypeError):
        cal.is_working_day(datetime(2025, 3, 3, 9))  # type: ignore[arg-type]
