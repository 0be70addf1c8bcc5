from __future__ import annotations

import contextlib
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app.domain.cccd import (
    FEMALE,
    MALE,
    CccdData,
    decode_id_number,
    looks_like_cccd_qr,
    parse_cccd_qr,
    parse_gender,
    validate_id_number,
    validate_old_id_number,
)
from counter_app.domain.errors import InvalidInput

NAME = "Nguyễn Văn Dũng"
ADDRESS = "Số 12, ngõ 34 Phố Huế, Phường Hai Bà Trưng, Hà Nội"
VALID = f"001099012345|123456789|{NAME}|12031999|Nam|{ADDRESS}|15082021"
EXPECTED = CccdData(
    id_number="001099012345",
    old_id_number="123456789",
    full_name=NAME,
    date_of_birth=date(1999, 3, 12),
    gender=MALE,
    address=ADDRESS,
    issue_date=date(2021, 8, 15),
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def refusal(payload: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        parse_cccd_qr(payload)
    assert info.value.field == "cccd_qr"
    return info.value


# --- parse_cccd_qr: accepted shapes ------------------------------------------------------------


def test_seven_parts() -> None:
    assert parse_cccd_qr(VALID) == EXPECTED


def test_eleven_parts_with_trailing_empties_and_no_old_id() -> None:
    payload = f"079301012345||TRẦN THỊ MỸ LỆ|05062001|Nữ|{ADDRESS}|20042024||||"
    data = parse_cccd_qr(payload)
    assert data == CccdData(
        id_number="079301012345",
        old_id_number="",
        full_name="TRẦN THỊ MỸ LỆ",
        date_of_birth=date(2001, 6, 5),
        gender=FEMALE,
        address=ADDRESS,
        issue_date=date(2024, 4, 20),
    )


@pytest.mark.parametrize("prefix", ["]Q1", "QR:", "QR: ", "#", "@@", "\r\n", "]Q1\r\n", "abc "])
def test_scanner_prefix_is_dropped(prefix: str) -> None:
    assert parse_cccd_qr(prefix + VALID) == EXPECTED


@pytest.mark.parametrize("suffix", ["\r\n", "\n", "\r", " \r\n", "||||\r\n", "\t"])
def test_trailing_line_breaks_are_dropped(suffix: str) -> None:
    assert parse_cccd_qr(VALID + suffix) == EXPECTED


def test_line_breaks_around_separators_and_inside_fields() -> None:
    payload = VALID.replace("|", "\r\n|").replace(", Phường", ",\r\nPhường")
    data = parse_cccd_qr(payload)
    assert data.full_name == NAME
    assert data.address == ADDRESS
    assert data == EXPECTED
    # A break inside a number field (a scanner wrapping the line) is just removed.
    assert parse_cccd_qr(VALID.replace("001099012345", "001099\r\n012345")) == EXPECTED
    assert parse_cccd_qr(VALID.replace("12031999", "1203\n1999")) == EXPECTED


def test_nfd_input_gives_nfc_output() -> None:
    payload = nfd(VALID)
    assert payload != VALID
    data = parse_cccd_qr(payload)
    assert data.full_name == NAME
    assert data.full_name == unicodedata.normalize("NFC", NAME)
    assert data.address == ADDRESS
    assert data == EXPECTED


def test_name_whitespace_cleaned_address_kept_raw() -> None:
    payload = VALID.replace(NAME, "  Nguyễn   Văn Dũng ").replace(ADDRESS, " Số 12,  ngõ 34 ")
    data = parse_cccd_qr(payload)
    assert data.full_name == NAME
    assert data.address == "Số 12,  ngõ 34"


def test_name_case_kept_as_printed() -> None:
    data = parse_cccd_qr(VALID.replace(NAME, "NGUYỄN VĂN DŨNG"))
    assert data.full_name == "NGUYỄN VĂN DŨNG"


@pytest.mark.parametrize("gender", ["Nam", "NAM", "nam", " Nam "])
def test_gender_variants_male(gender: str) -> None:
    assert parse_cccd_qr(VALID.replace("|Nam|", f"|{gender}|")).gender == MALE


@pytest.mark.parametrize("gender", ["Nữ", "NỮ", "Nu", "NU", "nữ"])
def test_gender_variants_female(gender: str) -> None:
    payload = f"001199012345||Lê Thị Hoa|01011999|{nfd(gender)}|Hà Nội|"
    data = parse_cccd_qr(payload)
    assert data.gender == FEMALE
    assert data.issue_date is None


def test_extra_non_empty_parts_are_ignored() -> None:
    assert parse_cccd_qr(VALID + "|x|y|z|w") == EXPECTED


def test_empty_address_is_accepted() -> None:
    assert parse_cccd_qr(VALID.replace(ADDRESS, "")).address == ""


# --- parse_cccd_qr: refusals ---------------------------------------------------------------


def test_too_few_parts() -> None:
    error = refusal("001099012345|123456789|Nguyễn Văn Dũng|12031999|Nam|Hà Nội")
    assert "cần ít nhất 7 trường ngăn cách bởi '|'" in error.message
    assert "đang có 6" in error.message


@pytest.mark.parametrize("text", ["", "   ", "\r\n", "hello", "0010990123451234"])
def test_not_a_qr_at_all(text: str) -> None:
    assert "ít nhất 7 trường" in refusal(text).message


def test_eleven_digit_number() -> None:
    error = refusal(VALID.replace("001099012345", "00109901234"))
    assert "12 chữ số" in error.message
    assert "đang có 11" in error.message


def test_thirteen_digit_number() -> None:
    assert "đang có 13" in refusal(VALID.replace("001099012345", "0010990123456")).message


def test_first_field_without_digits() -> None:
    assert "12 chữ số" in refusal("ABC" + VALID[12:]).message


@pytest.mark.parametrize("province", ["000", "097", "999"])
def test_bad_province(province: str) -> None:
    error = refusal(VALID.replace("001099012345", f"{province}099012345"))
    assert f"«{province}»" in error.message
    assert "001 đến 096" in error.message


@pytest.mark.parametrize("province", ["001", "096", "079"])
def test_province_bounds_accepted(province: str) -> None:
    assert parse_cccd_qr(VALID.replace("001099", f"{province}099")).id_number.startswith(province)


def test_century_digit_disagrees_with_year() -> None:
    # G = 2 means born in the 2000s, but the date of birth is in 1999.
    error = refusal(VALID.replace("001099012345", "001299012345"))
    assert "năm sinh 2099" in error.message
    assert "12/03/1999" in error.message


def test_year_digits_disagree_with_year() -> None:
    error = refusal(VALID.replace("12031999", "12032001"))
    assert error.message.startswith(
        "Số định danh 001099012345 cho biết năm sinh 1999 nhưng ngày sinh là 12/03/2001"
    )


@pytest.mark.parametrize("digit", ["6", "7", "8", "9"])
def test_century_digit_out_of_range(digit: str) -> None:
    error = refusal(VALID.replace("001099012345", f"001{digit}99012345"))
    assert f"«{digit}»" in error.message
    assert "từ 0 đến 5" in error.message


def test_gender_disagrees_with_number() -> None:
    error = refusal(VALID.replace("|Nam|", "|Nữ|"))
    assert "cho biết giới tính Nam nhưng giới tính nhập là Nữ" in error.message


def test_unknown_gender() -> None:
    error = refusal(VALID.replace("|Nam|", "|Khác|"))
    assert "«Khác»" in error.message
    assert "Nam" in error.message and "Nữ" in error.message


def test_bad_date_of_birth_named() -> None:
    error = refusal(VALID.replace("12031999", "31022000").replace("001099", "001000"))
    assert "Ngày sinh «31022000»" in error.message
    assert "ddmmyyyy" in error.message


@pytest.mark.parametrize("value", ["1203199", "12-03-1999", "", "abcdefgh"])
def test_malformed_date_of_birth(value: str) -> None:
    assert "Ngày sinh" in refusal(VALID.replace("12031999", value)).message


def test_bad_issue_date_named() -> None:
    assert "Ngày cấp «32082021»" in refusal(VALID.replace("15082021", "32082021")).message


def test_issue_date_before_birth() -> None:
    assert "trước ngày sinh" in refusal(VALID.replace("15082021", "15081990")).message


@pytest.mark.parametrize("old", ["12345678", "1234567890", "12345678A"])
def test_bad_old_id(old: str) -> None:
    assert "9 chữ số" in refusal(VALID.replace("123456789", old)).message


def test_missing_name() -> None:
    assert "họ tên" in refusal(VALID.replace(NAME, "  ")).message


def test_non_ascii_digits_refused() -> None:
    arabic = "".join(chr(0x0660 + int(c)) for c in "001099012345")
    assert "12 chữ số" in refusal(VALID.replace("001099012345", arabic)).message
    refusal(VALID.replace("12031999", "١٢031999"))


# --- looks_like_cccd_qr ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [VALID, "]Q1" + VALID, VALID + "||||\r\n", nfd(VALID), "001099012345||||||"],
)
def test_looks_like_qr(text: str) -> None:
    assert looks_like_cccd_qr(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Nguyễn Văn Dũng",
        "001099012345",
        "001099012345|a|b|c|d",
        "00109901234|a|b|c|d|e|f",
        "a|b|c|d|e|f|g|h",
    ],
)
def test_does_not_look_like_qr(text: str) -> None:
    assert not looks_like_cccd_qr(text)


# --- validate_id_number and helpers -----------------------------------------------------------


def test_validate_id_number_normalises_spaces() -> None:
    assert validate_id_number(" 001 099 012345 ") == "001099012345"


def test_validate_id_number_checks_birth_date_and_gender() -> None:
    assert validate_id_number("079301012345", date(2001, 6, 5), "Nữ") == "079301012345"
    assert validate_id_number("079301012345", gender="NU") == "079301012345"
    assert validate_id_number("079301012345", date_of_birth=date(2001, 1, 1)) == "079301012345"
    with pytest.raises(InvalidInput) as info:
        validate_id_number("079301012345", date(2001, 6, 5), "Nam", field="applicant.id")
    assert info.value.field == "applicant.id"
    assert info.value.message.startswith(
        "Số định danh 079301012345 cho biết giới tính Nữ nhưng giới tính nhập là Nam"
    )
    with pytest.raises(InvalidInput) as info:
        validate_id_number("001099012345", date(2001, 3, 12))
    assert info.value.field == "id_number"
    assert info.value.message.startswith(
        "Số định danh 001099012345 cho biết năm sinh 1999 nhưng ngày sinh là 12/03/2001"
    )


@pytest.mark.parametrize(
    ("number", "year", "gender"),
    [
        ("001099012345", 1999, MALE),
        ("001199012345", 1999, FEMALE),
        ("096200000001", 2000, MALE),
        ("096399000001", 2099, FEMALE),
        ("001400000000", 2100, MALE),
        ("001501000000", 2101, FEMALE),
    ],
)
def test_decode_id_number(number: str, year: int, gender: str) -> None:
    info = decode_id_number(number)
    assert (info.birth_year, info.gender) == (year, gender)
    assert info.province_code == int(number[:3])


@pytest.mark.parametrize("number", ["", "abc", "00109901234", "0010990123456", "00109901234x"])
def test_validate_id_number_refuses_malformed(number: str) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_id_number(number)
    assert "12 chữ số" in info.value.message


def test_validate_old_id_number() -> None:
    assert validate_old_id_number(" 123 456 789 ") == "123456789"
    assert validate_old_id_number("") == ""
    with pytest.raises(InvalidInput) as info:
        validate_old_id_number("12345")
    assert info.value.field == "old_id_number"


def test_parse_gender() -> None:
    assert parse_gender(nfd("NỮ")) == FEMALE
    assert parse_gender("nAm") == MALE
    with pytest.raises(InvalidInput) as info:
        parse_gender("M", field="applicant.gender")
    assert info.value.field == "applicant.gender"


# --- property tests --------------------------------------------------------------------------

NAME_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
ADDRESS_CHARS = NAME_LETTERS + NAME_LETTERS.upper() + "0123456789 ,./-"


@st.composite
def records(draw: st.DrawFn) -> CccdData:
    province = draw(st.integers(1, 96))
    dob = draw(st.dates(date(1900, 1, 1), date(2099, 12, 31)))
    gender = draw(st.sampled_from([MALE, FEMALE]))
    g = (dob.year - 1900) // 100 * 2 + (gender == FEMALE)
    random_part = draw(st.integers(0, 999_999))
    id_number = f"{province:03d}{g}{dob.year % 100:02d}{random_part:06d}"
    words = draw(st.lists(st.text(NAME_LETTERS, min_size=1, max_size=7), min_size=1, max_size=5))
    upper = draw(st.booleans())
    name = " ".join(w.upper() if upper else w.capitalize() for w in words)
    address = draw(st.text(ADDRESS_CHARS, max_size=80)).strip()
    old_id = draw(st.one_of(st.just(""), st.from_regex(r"[0-9]{9}", fullmatch=True)))
    issue = draw(st.one_of(st.none(), st.dates(dob, date(2099, 12, 31))))
    return CccdData(id_number, old_id, name, dob, gender, address, issue)


def to_payload(data: CccdData) -> str:
    issue = f"{data.issue_date:%d%m%Y}" if data.issue_date else ""
    return "|".join(
        [
            data.id_number,
            data.old_id_number,
            data.full_name,
            f"{data.date_of_birth:%d%m%Y}",
            data.gender,
            data.address,
            issue,
        ]
    )


@given(
    records(),
    st.booleans(),
    st.sampled_from(["", "]Q1", "QR:", "\r\n", "x "]),
    st.sampled_from(["", "\r\n", "\n", "||||", "||||\r\n"]),
    st.booleans(),
)
def test_generated_record_round_trips(
    data: CccdData, decompose: bool, prefix: str, suffix: str, gender_upper: bool
) -> None:
    payload = to_payload(data)
    if gender_upper:
        payload = payload.replace(f"|{data.gender}|", f"|{data.gender.upper()}|", 1)
    payload = prefix + payload + suffix
    if decompose:
        payload = nfd(payload)
    assert parse_cccd_qr(payload) == data


@given(st.text())
def test_arbitrary_text_only_raises_invalid_input(text: str) -> None:
    try:
        parse_cccd_qr(text)
    except InvalidInput as exc:
        assert exc.field == "cccd_qr"
        assert exc.message


@given(st.text(alphabet=st.sampled_from("0123456789|\r\n ]Q1Nam Nữ"), max_size=120))
def test_payload_like_text_only_raises_invalid_input(text: str) -> None:
    with contextlib.suppress(InvalidInput):
        parse_cccd_qr(text)


@st.composite
def mutated_payloads(draw: st.DrawFn) -> str:
    payload = to_payload(draw(records()))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "replace", "drop_part", "dup_sep"]))
        if kind == "drop_part":
            parts = payload.split("|")
            del parts[draw(st.integers(0, len(parts) - 1))]
            payload = "|".join(parts)
            continue
        if kind == "dup_sep":
            payload = payload.replace("|", "||", 1)
            continue
        if not payload and kind != "insert":
            continue
        i = draw(st.integers(0, max(len(payload) - 1, 0)))
        char = draw(st.one_of(st.characters(), st.sampled_from("0123456789|\r\n")))
        if kind == "delete":
            payload = payload[:i] + payload[i + 1 :]
        elif kind == "insert":
            payload = payload[:i] + char + payload[i:]
        else:
            payload = payload[:i] + char + payload[i + 1 :]
    return payload


@given(mutated_payloads())
def test_mutated_payload_only_raises_invalid_input(payload: str) -> None:
    try:
        data = parse_cccd_qr(payload)
    except InvalidInput:
        return
    # Whatever is accepted is consistent.
    assert validate_id_number(data.id_number, data.date_of_birth, data.gender) == data.id_number
    assert len(data.old_id_number) in (0, 9)
    assert data.full_name
