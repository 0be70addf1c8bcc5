"""The chip ID card (CCCD / Căn cước): its QR code and its 12-digit personal ID number.

QR payload (UTF-8, fields separated by ``|``)::

    12-digit ID|old 9-digit ID or empty|full name|ddmmyyyy|Nam or Nữ|address|issue date ddmmyyyy

Newer cards may add empty trailing fields (11 parts). Scanners may put a prefix before the
number (an AIM symbology identifier such as ``]Q1``, a configured ``QR:``, stray characters),
add CR/LF, or send decomposed (NFD) text.

The ID number is ``PPP G YY RRRRRR``: province of birth registration (001-096), a digit for
century and gender (0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s), the last two digits of
the birth year and six random digits. There is no check digit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from counter_app.domain.errors import InvalidInput
from counter_app.domain.text import clean, fold, nfc

MALE = "Nam"
FEMALE = "Nữ"
GENDERS = (MALE, FEMALE)

QR_FIELD = "cccd_qr"
MIN_QR_PARTS = 7
PROVINCE_MIN = 1
PROVINCE_MAX = 96
# Century-and-gender digit G -> (first year of the century, gender). The domain brief stops at 5.
_CENTURY_GENDER: dict[int, tuple[int, str]] = {
    0: (1900, MALE),
    1: (1900, FEMALE),
    2: (2000, MALE),
    3: (2000, FEMALE),
    4: (2100, MALE),
    5: (2100, FEMALE),
}

_GENDER_BY_FOLDED = {"nam": MALE, "nu": FEMALE}
# ASCII digits only: \d and str.isdigit() also accept other scripts' digits.
_ID12 = re.compile(r"[0-9]{12}")
_ID9 = re.compile(r"[0-9]{9}")
_DATE8 = re.compile(r"[0-9]{8}")
_TRAILING_DIGITS = re.compile(r"[0-9]+$")
# AIM symbology identifier some scanners send first: "]Q1" (QR), "]C0" (Code 128)...
_AIM_PREFIX = re.compile(r"^\s*\][A-Za-z][0-9A-Za-z]")
_LOOKS_LIKE_QR = re.compile(r"[0-9]{12}\|")
_LINE_BREAKS = re.compile(r"[ \t]*[\r\n]+[ \t]*")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class CccdData:
    """What the card's QR code says, normalised (NFC; name whitespace-cleaned)."""

    id_number: str
    old_id_number: str
    full_name: str
    date_of_birth: date
    gender: str
    address: str
    issue_date: date | None


class IdNumberInfo(NamedTuple):
    """What a 12-digit ID number tells about its holder."""

    province_code: int
    birth_year: int
    gender: str


def _show(value: str, limit: int = 40) -> str:
    """A value quoted in a message, shortened and on one line."""
    shown = " ".join(value.split())
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return shown


def _ddmmyyyy(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def parse_gender(text: str, field: str = "gender") -> str:
    """Return "Nam" or "Nữ" from any case or diacritic variant ("NAM", "Nu", decomposed "Nữ")."""
    gender = _GENDER_BY_FOLDED.get(fold(text))
    if gender is None:
        raise InvalidInput(
            f"Giới tính «{_show(text)}» không hợp lệ: chỉ nhận «{MALE}» hoặc «{FEMALE}».",
            field=field,
        )
    return gender


def decode_id_number(number: str, field: str = "id_number") -> IdNumberInfo:
    """Province, birth year and gender encoded in a 12-digit ID number (validated)."""
    digits = _WHITESPACE.sub("", nfc(number))
    if not _ID12.fullmatch(digits):
        if digits and re.fullmatch(r"[0-9]+", digits):
            detail = f"đang có {len(digits)} chữ số"
        elif not digits:
            detail = "đang để trống"
        else:
            detail = "có ký tự không phải chữ số"
        raise InvalidInput(
            f"Số định danh «{_show(number)}» phải gồm đúng 12 chữ số ({detail}); "
            "hãy nhập lại theo số in trên thẻ căn cước.",
            field=field,
        )
    province = int(digits[:3])
    if not PROVINCE_MIN <= province <= PROVINCE_MAX:
        raise InvalidInput(
            f"Số định danh {digits} có mã tỉnh nơi đăng ký khai sinh «{digits[:3]}» không hợp "
            f"lệ: mã tỉnh phải từ {PROVINCE_MIN:03d} đến {PROVINCE_MAX:03d}; "
            "hãy kiểm tra lại số trên thẻ.",
            field=field,
        )
    century_gender = int(digits[3])
    if century_gender not in _CENTURY_GENDER:
        raise InvalidInput(
            f"Số định danh {digits} có chữ số thứ tư (thế kỷ và giới tính) là «{digits[3]}»: "
            "chữ số này phải từ 0 đến 5; hãy kiểm tra lại số trên thẻ.",
            field=field,
        )
    century, gender = _CENTURY_GENDER[century_gender]
    return IdNumberInfo(province, century + int(digits[4:6]), gender)


def validate_id_number(
    number: str,
    date_of_birth: date | None = None,
    gender: str | None = None,
    field: str = "id_number",
) -> str:
    """The 12-digit ID number without spaces, checked against the birth date and gender given.

    Raises InvalidInput (with ``field``) when the number is malformed or disagrees with them.
    """
    digits = _WHITESPACE.sub("", nfc(number))
    info = decode_id_number(number, field=field)
    if date_of_birth is not None and date_of_birth.year != info.birth_year:
        raise InvalidInput(
            f"Số định danh {digits} cho biết năm sinh {info.birth_year} nhưng ngày sinh là "
            f"{_ddmmyyyy(date_of_birth)}; hãy kiểm tra lại số định danh hoặc ngày sinh.",
            field=field,
        )
    if gender is not None:
        given = parse_gender(gender, field=field)
        if given != info.gender:
            raise InvalidInput(
                f"Số định danh {digits} cho biết giới tính {info.gender} nhưng giới tính nhập là "
                f"{given}; hãy kiểm tra lại số định danh hoặc giới tính.",
                field=field,
            )
    return digits


def validate_old_id_number(number: str, field: str = "old_id_number") -> str:
    """The old 9-digit ID (CMND) without spaces, or "" when none is given."""
    digits = _WHITESPACE.sub("", nfc(number))
    if digits and not _ID9.fullmatch(digits):
        raise InvalidInput(
            f"Số CMND cũ «{_show(number)}» phải gồm đúng 9 chữ số; "
            "hãy nhập lại hoặc để trống nếu không có.",
            field=field,
        )
    return digits


def looks_like_cccd_qr(text: str) -> bool:
    """Cheap test: is this a card scan typed into a field (12 digits then '|', 6+ '|')?"""
    return text.count("|") >= MIN_QR_PARTS - 1 and _LOOKS_LIKE_QR.search(text) is not None


def _qr_date(value: str, what: str) -> date:
    """A ddmmyyyy field of the QR code."""
    compact = _WHITESPACE.sub("", value)
    if _DATE8.fullmatch(compact):
        try:
            return date(int(compact[4:]), int(compact[2:4]), int(compact[:2]))
        except ValueError:
            pass
    raise InvalidInput(
        f"{what} «{_show(value)}» trong mã QR không phải ngày hợp lệ dạng ddmmyyyy; "
        "hãy quét lại thẻ hoặc nhập tay.",
        field=QR_FIELD,
    )


def _qr_id_number(first_part: str) -> str:
    """The 12 digits ending the first field, whatever prefix the scanner put before them."""
    candidate = _LINE_BREAKS.sub("", first_part).strip()
    run = _TRAILING_DIGITS.search(candidate)
    if run is None or len(run.group()) != 12:
        count = 0 if run is None else len(run.group())
        raise InvalidInput(
            f"Mã QR không phải của thẻ căn cước: trường đầu tiên «{_show(candidate)}» phải kết "
            f"thúc bằng số định danh 12 chữ số (đang có {count}); hãy quét lại thẻ.",
            field=QR_FIELD,
        )
    return run.group()


def parse_cccd_qr(payload: str) -> CccdData:
    """Read a card's QR payload as sent by a scanner. Raises InvalidInput (field "cccd_qr")."""
    text = _AIM_PREFIX.sub("", nfc(payload)).strip()
    parts = text.split("|")
    if len(parts) < MIN_QR_PARTS:
        raise InvalidInput(
            "Mã QR không phải của thẻ căn cước: cần ít nhất 7 trường ngăn cách bởi '|' "
            f"(đang có {len(parts)}); hãy quét lại mã QR ở mặt trước thẻ.",
            field=QR_FIELD,
        )
    # Fields past the seventh (empty on current cards) are ignored.
    raw_id, raw_old, raw_name, raw_dob, raw_gender, raw_address, raw_issue = parts[:MIN_QR_PARTS]

    id_number = validate_id_number(_qr_id_number(raw_id), field=QR_FIELD)
    try:
        old_id_number = validate_old_id_number(raw_old, field=QR_FIELD)
    except InvalidInput as exc:
        raise InvalidInput(
            f"Số CMND cũ «{_show(raw_old)}» trong mã QR phải gồm 9 chữ số hoặc để trống; "
            "hãy quét lại thẻ.",
            field=exc.field,
        ) from None
    full_name = clean(raw_name)
    if not full_name:
        raise InvalidInput(
            "Mã QR thẻ căn cước không có họ tên; hãy quét lại thẻ hoặc nhập tay.",
            field=QR_FIELD,
        )
    date_of_birth = _qr_date(raw_dob, "Ngày sinh")
    try:
        gender = parse_gender(_LINE_BREAKS.sub(" ", raw_gender), field=QR_FIELD)
    except InvalidInput:
        raise InvalidInput(
            f"Giới tính «{_show(raw_gender)}» trong mã QR không hợp lệ: chỉ nhận «{MALE}» hoặc "
            f"«{FEMALE}»; hãy quét lại thẻ hoặc nhập tay.",
            field=QR_FIELD,
        ) from None
    validate_id_number(id_number, date_of_birth, gender, field=QR_FIELD)
    address = _LINE_BREAKS.sub(" ", raw_address).strip()
    issue_date = _qr_date(raw_issue, "Ngày cấp") if raw_issue.strip() else None
    if issue_date is not None and issue_date < date_of_birth:
        raise InvalidInput(
            f"Mã QR có ngày cấp {_ddmmyyyy(issue_date)} trước ngày sinh "
            f"{_ddmmyyyy(date_of_birth)}; hãy quét lại thẻ hoặc nhập tay.",
            field=QR_FIELD,
        )
    return CccdData(
        id_number=id_number,
        old_id_number=old_id_number,
        full_name=full_name,
        date_of_birth=date_of_birth,
        gender=gender,
        address=address,
        issue_date=issue_date,
    )
