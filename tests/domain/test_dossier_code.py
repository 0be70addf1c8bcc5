from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app.domain.dossier_code import (
    DossierCode,
    format_dossier_code,
    next_sequence_number,
    parse_dossier_code,
    station_number_range,
    validate_station,
    validate_unit_code,
)
from counter_app.domain.errors import InvalidInput, NotAllowed

# --- unit code ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("000.00.12.H49", "000.00.12.H49"),
        ("  H15.50.05.13 \r\n", "H15.50.05.13"),
        ("h49", "h49"),
        ("X", "X"),
        ("A" * 40, "A" * 40),
    ],
)
def test_validate_unit_code_accepts(raw: str, expected: str) -> None:
    assert validate_unit_code(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "   ", ".H49", "H49.", "000..12", "000.00 12", "H-49", "Hà49", "A" * 41, "H49/1", "."],
)
def test_validate_unit_code_refuses(raw: str) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_unit_code(raw)
    assert info.value.field == "unit_code"
    assert "mã đơn vị" in info.value.message.lower()


# --- stations and numbering -----------------------------------------------------------------


@pytest.mark.parametrize("station", range(10))
def test_validate_station_accepts(station: int) -> None:
    assert validate_station(station) == station


@pytest.mark.parametrize("station", [-1, 10, 99, True, "2", 2.0])
def test_validate_station_refuses(station: object) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_station(station)  # type: ignore[arg-type]
    assert info.value.field == "station"
    assert "từ 0 đến 9" in info.value.message


def test_station_number_range() -> None:
    assert station_number_range(0) == (1, 999)
    assert station_number_range(2) == (2001, 2999)
    assert station_number_range(9) == (9001, 9999)
    with pytest.raises(InvalidInput):
        station_number_range(10)


def test_next_sequence_number_first_and_following() -> None:
    assert next_sequence_number(0, None) == 1
    assert next_sequence_number(2, None) == 2001
    assert next_sequence_number(2, 2001) == 2002
    assert next_sequence_number(2, 2998, date(2026, 11, 26)) == 2999
    assert next_sequence_number(0, 998) == 999


def test_next_sequence_number_day_full() -> None:
    with pytest.raises(NotAllowed) as info:
        next_sequence_number(2, 2999, date(2026, 11, 26))
    assert info.value.message == (
        "Quầy số 2 đã cấp đủ 999 mã hồ sơ trong ngày 26/11/2026; "
        "hãy tiếp nhận ở quầy khác hoặc sang ngày làm việc tiếp theo."
    )
    with pytest.raises(NotAllowed) as info:
        next_sequence_number(0, 999)
    assert "Quầy số 0 đã cấp đủ 999 mã hồ sơ" in info.value.message


@pytest.mark.parametrize(("station", "last_used"), [(2, 1999), (2, 3000), (2, 2000), (0, 0)])
def test_next_sequence_number_foreign_last_used_is_a_bug(station: int, last_used: int) -> None:
    with pytest.raises(ValueError):
        next_sequence_number(station, last_used)


# --- format and parse -----------------------------------------------------------------------


def test_format_example() -> None:
    assert format_dossier_code("000.00.12.H49", date(2022, 10, 10), 2) == (
        "000.00.12.H49-221010-0002"
    )
    assert format_dossier_code(" H15.50.05.13 ", date(2026, 1, 2), 2999) == (
        "H15.50.05.13-260102-2999"
    )


def test_format_refuses_bad_input() -> None:
    with pytest.raises(InvalidInput):
        format_dossier_code("H..49", date(2022, 10, 10), 2)
    for number in (0, 10000, -1):
        with pytest.raises(ValueError):
            format_dossier_code("H49", date(2022, 10, 10), number)
    with pytest.raises(ValueError):
        format_dossier_code("H49", date(1999, 12, 31), 1)


def test_parse_example() -> None:
    code = parse_dossier_code("000.00.12.H49-221010-0002")
    assert code == DossierCode("000.00.12.H49", date(2022, 10, 10), 2)
    assert code.station == 0
    assert str(code) == code.code == "000.00.12.H49-221010-0002"
    assert parse_dossier_code("H49-260101-2999").station == 2


@pytest.mark.parametrize(
    "noisy",
    [
        "  000.00.12.H49-221010-0002  ",
        "000.00.12.H49-221010-0002\r\n",
        "\n000.00.12.H49-221010-0002\r",
        "]C0000.00.12.H49-221010-0002\r\n",
        "000.00.12.H49 - 221010 - 0002",
        "000.00.12.H49–221010–0002",
        unicodedata.normalize("NFD", "000.00.12.H49-221010-0002"),
    ],
)
def test_parse_accepts_scanner_noise(noisy: str) -> None:
    assert parse_dossier_code(noisy) == DossierCode("000.00.12.H49", date(2022, 10, 10), 2)


@pytest.mark.parametrize(
    "text",
    [
        "000.00.12.H49-221010-002",
        "000.00.12.H49-221010-00002",
        "000.00.12.H49-22101-0002",
        "000.00.12.H49221010-0002",
        "-221010-0002",
        ".H49-221010-0002",
        "H49.-221010-0002",
        "H..49-221010-0002",
        "Hà49-221010-0002",
        "000.00.12.H49-221010-0002-1",
        "000.00.12.H49-22101O-0002",
        "A" * 41 + "-221010-0002",
        "hello",
    ],
)
def test_parse_refuses_malformed(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_dossier_code(text)
    assert info.value.field == "dossier_code"
    assert info.value.message.startswith("Mã hồ sơ «")
    assert "không đúng dạng <mã đơn vị>-<YYMMDD>-<NNNN>" in info.value.message


@pytest.mark.parametrize("text", ["", "  \r\n"])
def test_parse_refuses_empty(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_dossier_code(text)
    assert "Chưa nhập mã hồ sơ" in info.value.message


@pytest.mark.parametrize("text", ["H49-221310-0002", "H49-230229-0002", "H49-221000-0002"])
def test_parse_refuses_impossible_date(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_dossier_code(text)
    assert f"«{text[4:10]}»" in info.value.message


def test_parse_refuses_number_zero() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_dossier_code("H49-221010-0000")
    assert "0000" in info.value.message


def test_parse_accepts_numbers_from_other_systems() -> None:
    # The national portal numbers a unit's day without our station ranges.
    assert parse_dossier_code("H49-221010-1000").number == 1000


def test_parse_keeps_unit_code_case() -> None:
    assert parse_dossier_code("h49-221010-0001").unit_code == "h49"


unit_codes = st.from_regex(r"[A-Za-z0-9]{1,5}(\.[A-Za-z0-9]{1,5}){0,5}", fullmatch=True)


@given(unit_codes, st.dates(date(2000, 1, 1), date(2099, 12, 31)), st.integers(1, 9999))
def test_format_parse_round_trip(unit: str, day: date, number: int) -> None:
    code = format_dossier_code(unit, day, number)
    parsed = parse_dossier_code(code)
    assert parsed == DossierCode(unit, day, number)
    assert parsed.code == code
    assert parse_dossier_code(f"  {code}\r\n") == parsed


@given(st.integers(0, 9), st.integers(0, 998))
def test_sequence_numbers_stay_in_station(station: int, offset: int) -> None:
    first, last = station_number_range(station)
    number = next_sequence_number(station, first + offset - 1 if offset else None)
    assert first <= number <= last
    assert number // 1000 == station
    assert parse_dossier_code(format_dossier_code("H49", date(2026, 11, 26), number)).station == (
        station
    )


@given(st.text())
def test_parse_arbitrary_text_only_raises_invalid_input(text: str) -> None:
    try:
        parsed = parse_dossier_code(text)
    except InvalidInput:
        return
    assert parse_dossier_code(parsed.code) == parsed
