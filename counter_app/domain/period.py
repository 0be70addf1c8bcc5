"""A period of office days a clerk asks for (statistics, the register book): read and checked."""

from __future__ import annotations

import re
from datetime import date, timedelta

from counter_app.domain.errors import InvalidInput

_DAY_TEXT = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_day(text: str, field: str) -> date:
    """A day as a clerk writes it, "01/11/2026", or as ISO, "2026-11-01"."""
    value = (text or "").strip()
    match = _DAY_TEXT.fullmatch(value)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"«{value}» không phải ngày hợp lệ; ghi theo dạng DD/MM/YYYY (hoặc YYYY-MM-DD), "
            "ví dụ 01/11/2026.",
            field=field,
        ) from None


def check_period(date_from: date, date_to: date, *, max_days: int, doing: str) -> None:
    """Refuse a period that ends before it starts or is longer than `max_days` days.

    `doing` completes "Chỉ … tối đa N ngày một lần", e.g. "thống kê" or "in sổ cho".
    """
    if date_to < date_from:
        raise InvalidInput(
            f"Ngày kết thúc {date_to:%d/%m/%Y} trước ngày bắt đầu {date_from:%d/%m/%Y}.",
            field="to",
        )
    if (date_to - date_from) >= timedelta(days=max_days):
        raise InvalidInput(
            f"Chỉ {doing} tối đa {max_days} ngày một lần; chia khoảng thời gian ra.", field="to"
        )
