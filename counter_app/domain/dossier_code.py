"""Dossier code ``<unit code>-<YYMMDD>-<NNNN>`` (Circular 01/2018/TT-VPCP, art. 19).

Example: ``000.00.12.H49-221010-0002``. The unit code is an opaque configured string of letters,
digits and dots; YYMMDD is the receipt date in office time; NNNN the day's sequence number.

Several counter PCs of one unit number their dossiers offline without talking to each other, so
each station S (0-9) owns the numbers S001-S999 of every day: station 0 gives 0001-0999,
station 2 gives 2001-2999. Codes made by other systems (the national portal) may use any
number 0001-9999 and are still read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from counter_app.domain.errors import InvalidInput, NotAllowed
from counter_app.domain.text import nfc

UNIT_CODE_MAX_LENGTH = 40
STATION_MIN = 0
STATION_MAX = 9
NUMBERS_PER_STATION = 999
NUMBER_MIN = 1
NUMBER_MAX = 9999
YEAR_MIN = 2000  # YYMMDD is read as 20YY
YEAR_MAX = 2099

_UNIT_CODE = re.compile(r"[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*")
_DOSSIER_CODE = re.compile(
    r"(?P<unit>[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)-(?P<date>[0-9]{6})-(?P<number>[0-9]{4})"
)
# AIM symbology identifier some scanners send first: "]C0" (Code 128), "]Q1" (QR)...
_AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))
_WHITESPACE = re.compile(r"\s+")
_FORMAT_HINT = "<mã đơn vị>-<YYMMDD>-<NNNN> (ví dụ 000.00.12.H49-221010-0002)"


@dataclass(frozen=True, slots=True)
class DossierCode:
    unit_code: str
    receipt_date: date
    number: int

    @property
    def station(self) -> int:
        """The station that numbered it (meaningful for codes made by this application)."""
        return self.number // 1000

    @property
    def code(self) -> str:
        return format_dossier_code(self.unit_code, self.receipt_date, self.number)

    def __str__(self) -> str:
        return self.code


def _show(value: str, limit: int = 60) -> str:
    shown = " ".join(value.split())
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return shown


def _ddmmyyyy(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def validate_unit_code(code: str) -> str:
    """The unit code stripped, case kept: letters, digits and single inner dots, 1-40 chars."""
    value = nfc(code).strip()
    if not value:
        raise InvalidInput(
            "Chưa có mã đơn vị tiếp nhận; hãy nhập mã đơn vị theo QCVN 102:2016/BTTTT "
            "(ví dụ 000.00.12.H49) trong phần cấu hình.",
            field="unit_code",
        )
    if len(value) > UNIT_CODE_MAX_LENGTH:
        raise InvalidInput(
            f"Mã đơn vị «{_show(value)}» dài {len(value)} ký tự; tối đa "
            f"{UNIT_CODE_MAX_LENGTH} ký tự.",
            field="unit_code",
        )
    if not _UNIT_CODE.fullmatch(value):
        raise InvalidInput(
            f"Mã đơn vị «{_show(value)}» không hợp lệ: chỉ gồm chữ cái không dấu, chữ số và "
            "dấu chấm, không bắt đầu hay kết thúc bằng dấu chấm, không có hai dấu chấm liền "
            "nhau (ví dụ 000.00.12.H49).",
            field="unit_code",
        )
    return value


def validate_station(n: int) -> int:
    """A station (counter PC) number, 0-9."""
    if isinstance(n, bool) or not isinstance(n, int) or not STATION_MIN <= n <= STATION_MAX:
        raise InvalidInput(
            f"Số quầy «{n}» không hợp lệ: số quầy phải từ {STATION_MIN} đến {STATION_MAX}; "
            "hãy sửa trong phần cấu hình máy.",
            field="station",
        )
    return n


def station_number_range(station: int) -> tuple[int, int]:
    """First and last sequence number of a station's day: station 2 -> (2001, 2999)."""
    s = validate_station(station)
    return s * 1000 + 1, s * 1000 + NUMBERS_PER_STATION


def next_sequence_number(station: int, last_used: int | None, day: date | None = None) -> int:
    """The number for the next dossier received today at this station.

    ``last_used`` is the highest number this station has given on that day, or None.
    ``day`` (the receipt date) only serves the message when the day's numbers run out.
    Raises NotAllowed after the 999th, ValueError if ``last_used`` is not this station's.
    """
    first, last = station_number_range(station)
    if last_used is None:
        return first
    if not first <= last_used <= last:
        raise ValueError(
            f"last_used {last_used} is outside station {station}'s range {first}-{last}"
        )
    if last_used == last:
        when = f"ngày {_ddmmyyyy(day)}" if day is not None else "ngày"
        raise NotAllowed(
            f"Quầy số {station} đã cấp đủ {NUMBERS_PER_STATION} mã hồ sơ trong {when}; "
            "hãy tiếp nhận ở quầy khác hoặc sang ngày làm việc tiếp theo.",
            field="dossier_code",
        )
    return last_used + 1


def format_dossier_code(unit_code: str, receipt_date: date, number: int) -> str:
    """``<unit code>-<YYMMDD>-<NNNN>``; ``receipt_date`` is already the office-time date."""
    unit = validate_unit_code(unit_code)
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError(f"number must be an int, not {type(number).__name__}")
    if not NUMBER_MIN <= number <= NUMBER_MAX:
        raise ValueError(f"dossier number {number} outside {NUMBER_MIN}-{NUMBER_MAX}")
    if not YEAR_MIN <= receipt_date.year <= YEAR_MAX:
        raise ValueError(f"receipt date {receipt_date} outside {YEAR_MIN}-{YEAR_MAX}")
    return f"{unit}-{receipt_date:%y%m%d}-{number:04d}"


def parse_dossier_code(text: str) -> DossierCode:
    """Read a typed or scanned dossier code. Raises InvalidInput (field "dossier_code")."""
    value = _WHITESPACE.sub("", nfc(text).translate(_DASHES))
    value = _AIM_PREFIX.sub("", value)
    if not value:
        raise InvalidInput(
            "Chưa nhập mã hồ sơ; hãy quét mã vạch trên giấy tiếp nhận hoặc nhập mã hồ sơ.",
            field="dossier_code",
        )
    match = _DOSSIER_CODE.fullmatch(value)
    if match is None or len(match["unit"]) > UNIT_CODE_MAX_LENGTH:
        raise InvalidInput(
            f"Mã hồ sơ «{_show(value)}» không đúng dạng {_FORMAT_HINT}; "
            "hãy quét lại mã vạch hoặc nhập lại.",
            field="dossier_code",
        )
    yymmdd = match["date"]
    try:
        receipt_date = date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    except ValueError:
        raise InvalidInput(
            f"Mã hồ sơ «{value}» có phần ngày tiếp nhận «{yymmdd}» không phải ngày hợp lệ "
            "dạng YYMMDD; hãy quét lại mã vạch hoặc nhập lại.",
            field="dossier_code",
        ) from None
    number = int(match["number"])
    if number < NUMBER_MIN:
        raise InvalidInput(
            f"Mã hồ sơ «{value}» có số thứ tự 0000 không hợp lệ (số thứ tự bắt đầu từ 0001); "
            "hãy quét lại mã vạch hoặc nhập lại.",
            field="dossier_code",
        )
    return DossierCode(match["unit"], receipt_date, number)
