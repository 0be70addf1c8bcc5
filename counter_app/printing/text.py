"""Text as printed: NFC always, Vietnamese date and time phrases, money in đồng."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from xml.sax.saxutils import escape

from counter_app.domain.office_time import OFFICE_TZ

BLANK_TIME = "…… giờ …… phút, ngày …… tháng …… năm ……"


def nfc(text: object) -> str:
    """Every string drawn goes through here: reportlab places NFD marks beside their letters."""
    return unicodedata.normalize("NFC", "" if text is None else str(text))


def markup(text: object) -> str:
    """Plain text made safe for a reportlab Paragraph (NFC, &, < and > escaped)."""
    return escape(nfc(text))


def office_time(value: datetime | str | None) -> datetime | None:
    """An ISO string (the dossier dict) or an aware datetime, in office time."""
    if value is None or value == "":
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError("naive datetime: business times must carry a time zone")
    return moment.astimezone(OFFICE_TZ)


def time_phrase(value: datetime | str | None) -> str:
    """ "09 giờ 00 phút, ngày 26 tháng 11 năm 2026" (the wording of the forms)."""
    moment = office_time(value)
    if moment is None:
        return BLANK_TIME
    return f"{moment:%H} giờ {moment:%M} phút, ngày {moment:%d} tháng {moment:%m} năm {moment:%Y}"


def date_phrase(day: date | datetime | None) -> str:
    """ "ngày 26 tháng 11 năm 2026" """
    if day is None:
        return "ngày …… tháng …… năm ……"
    if isinstance(day, datetime):
        day = office_time(day).date()
    return f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def place_date_line(place: str, day: date | datetime | None) -> str:
    """ "Hà Nội, ngày 26 tháng 11 năm 2026", the dated line under the national motto."""
    return f"{nfc(place).strip() or '……………'}, {date_phrase(day)}"


def short_time(value: datetime | str | None) -> str:
    """ "09:00 26/11/2026" for tables."""
    moment = office_time(value)
    return "" if moment is None else f"{moment:%H:%M %d/%m/%Y}"


def money(amount: int) -> str:
    """ "2.000 đồng" (Vietnamese thousands separator)."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def two_digits(number: int) -> str:
    return f"{number:02d}"
