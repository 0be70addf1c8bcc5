"""This station's settings: office hours, printing, the sync server's address, the idle lock.

Stored as JSON values in the `settings` table (keys below); the office itself (unit, station
number) is `services.office`. No Qt here.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from counter_app.domain.calendar import WEEKDAY_KEYS, WEEKDAY_NAMES_VI, OfficeHours
from counter_app.domain.errors import InvalidInput, NotAllowed
from counter_app.domain.text import clean
from counter_app.services.context import Context, get_setting, put_setting, record

PRINT_MODES = {
    "preview": "Xem trước rồi in",
    "direct": "In thẳng ra máy in",
    "pdf": "Chỉ lưu tệp PDF",
}
# The printing service reads "receipt_layout" for Form 01 (the other forms are always A4).
RECEIPT_LAYOUTS = {"a4": "Khổ A4 (2 liên)", "slip80": "Giấy cuộn 80 mm"}
IDLE_MINUTES_MAX = 240
_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")
_SESSION = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")


@dataclass
class StationSettings:
    office_hours: dict[str, list[list[str]]] = field(
        default_factory=lambda: OfficeHours.default().to_dict()
    )
    print_mode: str = "preview"
    receipt_layout: str = "a4"
    printer_name: str = ""  # "" = the system's default printer
    pdf_folder: str = ""  # "" = <data folder>/prints
    server_url: str = ""
    idle_lock_minutes: int = 10  # 0 = never lock
    scan_folder: str = ""  # where the office scanner saves its files ("" = not set)


_KEYS = {
    "office_hours": "office_hours",
    "print_mode": "print_mode",
    "receipt_layout": "receipt_layout",
    "printer_name": "printer_name",
    "pdf_folder": "pdf_folder",
    "server_url": "server_url",
    "idle_lock_minutes": "idle_lock_minutes",
    "scan_folder": "scan_folder",
}


def load_settings(ctx: Context) -> StationSettings:
    defaults = StationSettings()
    values: dict[str, Any] = {}
    with ctx.db.read() as session:
        for name, key in _KEYS.items():
            values[name] = get_setting(session, key, getattr(defaults, name))
    return StationSettings(**values)


def format_hours_day(sessions: list[list[str]]) -> str:
    """[["07:00","11:30"],["13:30","17:00"]] -> "07:00-11:30, 13:30-17:00" (what the form shows)."""
    return ", ".join(f"{a}-{b}" for a, b in sessions)


def parse_hours_text(texts: dict[str, str]) -> dict[str, list[list[str]]]:
    """{"mon": "07:00-11:30, 13:30-17:00", "sat": ""} -> the `office_hours` setting, validated."""
    data: dict[str, list[list[str]]] = {}
    for weekday, key in enumerate(WEEKDAY_KEYS):
        text = clean(texts.get(key, ""))
        sessions = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            match = _SESSION.fullmatch(part)
            if match is None:
                raise InvalidInput(
                    f"{WEEKDAY_NAMES_VI[weekday]}: «{part}» không đúng dạng giờ bắt đầu-giờ kết "
                    "thúc (ví dụ 07:00-11:30, 13:30-17:00); để trống nếu nghỉ.",
                    field=key,
                )
            sessions.append([match[1], match[2]])
        data[key] = sessions
    OfficeHours.from_dict(data)  # validates (order, overlaps, at least one day)
    return data


def save_settings(ctx: Context, new: StationSettings, *, acting) -> StationSettings:
    """Validate everything, then write it all in one transaction (administrators only)."""
    if not acting.is_admin:
        raise NotAllowed("Chỉ quản trị viên mới thay đổi được cài đặt của quầy.")
    hours = OfficeHours.from_dict(new.office_hours).to_dict()
    if new.print_mode not in PRINT_MODES:
        raise InvalidInput(f"Cách in «{new.print_mode}» không hợp lệ.", field="print_mode")
    if new.receipt_layout not in RECEIPT_LAYOUTS:
        raise InvalidInput(f"Khổ giấy «{new.receipt_layout}» không hợp lệ.", field="receipt_layout")
    url = clean(new.server_url).rstrip("/")
    if url and not _URL.fullmatch(url):
        raise InvalidInput(
            f"Địa chỉ máy chủ «{url}» không hợp lệ; nhập dạng https://motcua.tinh.gov.vn "
            "hoặc để trống nếu chưa đồng bộ.",
            field="server_url",
        )
    scan_folder = clean(new.scan_folder)
    if scan_folder and not Path(scan_folder).expanduser().is_dir():
        raise InvalidInput(
            f"Không thấy thư mục máy quét «{scan_folder}»; chọn thư mục mà máy quét lưu tệp "
            "vào, hoặc để trống.",
            field="scan_folder",
        )
    minutes = new.idle_lock_minutes
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= 240:
        raise InvalidInput(
            f"Thời gian tự khóa phải từ 0 (không khóa) đến {IDLE_MINUTES_MAX} phút.",
            field="idle_lock_minutes",
        )
    saved = StationSettings(
        office_hours=hours,
        print_mode=new.print_mode,
        receipt_layout=new.receipt_layout,
        printer_name=clean(new.printer_name),
        pdf_folder=clean(new.pdf_folder),
        server_url=url,
        idle_lock_minutes=minutes,
        scan_folder=scan_folder,
    )
    now = ctx.now()
    with ctx.db.write() as session:
        before = {name: get_setting(session, key) for name, key in _KEYS.items()}
        for name, key in _KEYS.items():
            put_setting(session, key, getattr(saved, name))
        changed = {k: v for k, v in asdict(saved).items() if before.get(k) != v}
        record(session, now, clerk_id=acting.id, action="settings.save", entity="settings",
               details={"changed": sorted(changed)})  # fmt: skip
    ctx.invalidate_calendar()
    return saved
