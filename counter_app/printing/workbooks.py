"""The register of dossiers and the statistics as Excel workbooks (openpyxl).

Same content as the printed register (the column names come from `register_book.COLUMNS`), for
offices that file or merge their figures in Excel: a header block with the unit and the period,
bold column headings, frozen panes, fitted column widths, dates as real Excel dates in office
time (Excel has no time zones), every text NFC-normalised.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from counter_app.printing.model import BookRow, Letterhead
from counter_app.printing.text import nfc, office_time

if TYPE_CHECKING:
    from counter_app.services.reports import Statistics

DATE_TIME = "dd/mm/yyyy hh:mm"
DATE = "dd/mm/yyyy"
PERCENT = '0.0" %"'
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEAD_FILL = PatternFill("solid", fgColor="DDE7F0")
_THIN = Side(style="thin", color="808080")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_HEAD_ALIGN = Alignment(wrap_text=True, horizontal="center", vertical="center")

# Register columns: width in Excel characters, and how a cell is filled.
REGISTER_WIDTHS = (6, 27, 36, 8, 24, 34, 22, 16, 16, 16, 16, 16, 12, 18)


def _text(value: object) -> object:
    return nfc(value) if isinstance(value, str) else value


def _excel_time(value: datetime | None) -> datetime | None:
    """Office wall-clock time without tzinfo: what Excel can store and shows."""
    moment = office_time(value)
    return None if moment is None else moment.replace(tzinfo=None)


def _header_block(
    sheet: Worksheet, office: Letterhead, title: str, lines: Sequence[str], width: int
) -> int:
    """The unit, the title and the period over `width` columns; the next free row."""
    row = 1
    for text, font in (
        (nfc(office.governing_agency).upper(), None),
        (nfc(office.unit_name).upper(), _BOLD),
        (title, _TITLE),
        *((line, None) for line in lines),
    ):
        if not text:
            continue
        cell = sheet.cell(row=row, column=1, value=nfc(text))
        if font is not None:
            cell.font = font
        if font is _TITLE or (font is None and row > 2):
            cell.alignment = Alignment(horizontal="center")
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        row += 1
    return row + 1


def _heading_row(sheet: Worksheet, row: int, names: Sequence[str], widths: Sequence[int]) -> None:
    for column, (name, width) in enumerate(zip(names, widths, strict=True), start=1):
        cell = sheet.cell(row=row, column=column, value=nfc(name))
        cell.font, cell.fill, cell.border, cell.alignment = _BOLD, _HEAD_FILL, _GRID, _HEAD_ALIGN
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)


def _data_row(sheet: Worksheet, row: int, values: Sequence[object]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=_text(value))
        cell.border, cell.alignment = _GRID, _WRAP_TOP
        if isinstance(value, datetime):
            cell.number_format = DATE_TIME
        elif isinstance(value, date):
            cell.number_format = DATE


def _save(workbook: Workbook, title: str, author: str) -> bytes:
    workbook.properties.title = nfc(title)
    workbook.properties.creator = nfc(author)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def register_workbook(
    rows: Sequence[BookRow],
    office: Letterhead,
    *,
    date_from: date,
    date_to: date,
    books: Sequence[str] = (),
    printed_at: datetime | None = None,
) -> bytes:
    """One row per dossier, with the columns of the printed register."""
    from counter_app.printing.register_book import COLUMNS

    names = [name for name, _ in COLUMNS]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sổ theo dõi hồ sơ"
    period = f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"
    if books:
        period += " — Quyển số: " + ", ".join(books)
    lines = [f"Bộ phận Một cửa — quầy số {office.station_number}", period]
    printed = office_time(printed_at)
    if printed is not None:
        lines.append(f"Xuất lúc {printed:%H:%M %d/%m/%Y}")
    head = _header_block(sheet, office, "SỔ THEO DÕI HỒ SƠ", lines, len(names))
    _heading_row(sheet, head, names, REGISTER_WIDTHS)
    for offset, r in enumerate(rows, start=1):
        contact = r.address + (f"\nĐT: {r.phone}" if r.phone else "")
        _data_row(
            sheet,
            head + offset,
            (
                r.line,
                r.code,
                r.procedure,
                r.sets,
                r.applicant,
                contact.strip(),
                r.agency,
                _excel_time(r.received_at),
                _excel_time(r.appointment_at),
                _excel_time(r.transferred_at),
                _excel_time(r.result_ready_at),
                _excel_time(r.returned_at),
                None,
                r.note,
            ),
        )
    if not rows:
        sheet.cell(row=head + 1, column=2, value="(Không có hồ sơ nào trong khoảng thời gian này)")
    sheet.auto_filter.ref = f"A{head}:{get_column_letter(len(names))}{head + max(len(rows), 1)}"
    sheet.print_options.gridLines = False
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = f"{head}:{head}"
    return _save(workbook, f"Sổ theo dõi hồ sơ {period}", office.unit_name)


# -- statistics ---------------------------------------------------------------------------------


def _counts_sheet(
    workbook: Workbook,
    title: str,
    first: Sequence[tuple[str, int]],
    rows: Sequence[tuple[Sequence[str], object]],
    total: object,
    office: Letterhead,
    lines: Sequence[str],
) -> None:
    """One row per group (procedure or sector) with every count, then the bold total."""
    from counter_app.services.reports import COUNT_LABELS

    sheet = workbook.create_sheet(title)
    names = [*(name for name, _ in first), *(label for _, label in COUNT_LABELS), "Tỷ lệ đúng hạn"]
    widths = [*(width for _, width in first), *([11] * len(COUNT_LABELS)), 11]
    head = _header_block(sheet, office, f"THỐNG KÊ HỒ SƠ {title.upper()}", lines, len(names))
    _heading_row(sheet, head, names, widths)
    keys_total = ["Tổng cộng", *([""] * (len(first) - 1))]
    for row, (key, counts) in enumerate([*rows, (keys_total, total)], start=head + 1):
        values = [*key, *(getattr(counts, name) for name, _ in COUNT_LABELS)]
        _data_row(sheet, row, [*values, counts.in_time_percent])
        sheet.cell(row=row, column=len(names)).number_format = PERCENT
    for column in range(1, len(names) + 1):
        sheet.cell(row=head + len(rows) + 1, column=column).font = _BOLD


def statistics_workbook(stats: Statistics, office: Letterhead, printed_at: datetime) -> bytes:
    """Sheets: Tổng hợp, Theo thủ tục, Theo lĩnh vực, Quá hạn, Đánh giá."""
    from counter_app.services.reports import COUNT_LABELS, LEVEL_LABELS

    printed = office_time(printed_at)
    lines = [
        f"Kỳ thống kê: {stats.period_vi()}",
        f"Hồ sơ đang giải quyết tính đến {stats.cutoff_vi()}; lập lúc {printed:%H:%M %d/%m/%Y}",
    ]
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Tổng hợp"
    head = _header_block(
        summary, office, "THỐNG KÊ TÌNH HÌNH TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ", lines, 3
    )
    _heading_row(summary, head, ("Chỉ tiêu", "Số hồ sơ", "Ghi chú"), (42, 12, 60))
    notes = {
        "received": "Nhận trong kỳ, không kể hồ sơ từ chối tiếp nhận",
        "resolved": "Có kết quả trong kỳ (so với ngày hẹn trả)",
        "early": "Có kết quả trước ngày hẹn trả",
        "on_time": "Có kết quả đúng ngày hẹn trả",
        "late": "Có kết quả sau ngày hẹn trả",
        "returned": "Đã trao kết quả cho người nộp trong kỳ",
        "open": f"Chưa có kết quả lúc {stats.cutoff_vi()}",
        "overdue": f"Đã quá ngày hẹn trả lúc {stats.cutoff_vi()}",
    }
    row = head
    for name, label in COUNT_LABELS:
        row += 1
        _data_row(summary, row, (label, getattr(stats.totals, name), notes.get(name, "")))
    row += 1
    _data_row(summary, row, ("Tỷ lệ giải quyết đúng hạn", stats.totals.in_time_percent, ""))
    summary.cell(row=row, column=2).number_format = PERCENT
    s = stats.satisfaction
    for label, value in (
        ("Đánh giá: rất hài lòng", s.very_satisfied),
        ("Đánh giá: hài lòng", s.satisfied),
        ("Đánh giá: không hài lòng", s.dissatisfied),
    ):
        row += 1
        _data_row(summary, row, (label, value, f"Trên {s.returned} hồ sơ đã trả trong kỳ"))

    _counts_sheet(
        workbook,
        "Theo thủ tục",
        (("Mã thủ tục", 14), ("Tên thủ tục", 40), ("Lĩnh vực", 22)),
        [((r.key, r.name, r.sector), r.counts) for r in stats.by_procedure],
        stats.totals,
        office,
        lines,
    )
    _counts_sheet(
        workbook,
        "Theo lĩnh vực",
        (("Lĩnh vực", 30),),
        [((r.name,), r.counts) for r in stats.by_sector],
        stats.totals,
        office,
        lines,
    )

    late = workbook.create_sheet("Quá hạn")
    names = [
        "STT",
        "Mã hồ sơ",
        "Thủ tục",
        "Lĩnh vực",
        "Người nộp",
        "Điện thoại",
        "Nhận hồ sơ",
        "Hẹn trả",
        "Có kết quả",
        "Tình trạng",
        "Số ngày làm việc quá hạn",
        "Đã có Phiếu xin lỗi (Mẫu 04)",
        "Ngày phát hành Mẫu 04",
        "Mẫu 04 trước ngày hẹn",
    ]
    widths = (6, 27, 36, 18, 24, 14, 16, 16, 16, 24, 12, 14, 14, 14)
    late_lines = list(lines)
    if not stats.names_shown:
        late_lines.append("Họ tên, điện thoại người nộp chỉ hiện với lãnh đạo bộ phận.")
    head = _header_block(late, office, "DANH SÁCH HỒ SƠ QUÁ HẠN", late_lines, len(names))
    _heading_row(late, head, names, widths)
    for index, d in enumerate(stats.late, start=1):
        before = (
            None if d.apology_before_due is None else ("Có" if d.apology_before_due else "Không")
        )
        _data_row(
            late,
            head + index,
            (
                index,
                d.code,
                d.procedure,
                d.sector,
                d.applicant,
                d.phone,
                _excel_time(d.received_at),
                _excel_time(d.appointment_at),
                _excel_time(d.resolved_at),
                d.state_vi,
                d.working_days_late,
                "Có" if d.apology_at else "Chưa có",
                office_time(d.apology_at).date() if d.apology_at else None,
                before,
            ),
        )
    if not stats.late:
        late.cell(row=head + 1, column=2, value="(Không có hồ sơ quá hạn)")

    ratings = workbook.create_sheet("Đánh giá")
    head = _header_block(ratings, office, "KẾT QUẢ ĐÁNH GIÁ SỰ HÀI LÒNG", lines, 3)
    _heading_row(ratings, head, ("Mức đánh giá", "Số hồ sơ", "Tỷ lệ"), (30, 12, 12))
    row = head
    for level in LEVEL_LABELS:
        row += 1
        _data_row(ratings, row, (LEVEL_LABELS[level], getattr(s, level), s.percent(level)))
        ratings.cell(row=row, column=3).number_format = PERCENT
    row += 1
    _data_row(ratings, row, ("Đã đánh giá", s.rated, None))
    row += 1
    _data_row(ratings, row, ("Hồ sơ đã trả trong kỳ", s.returned, None))
    return _save(workbook, f"Thống kê hồ sơ {stats.period_vi()}", office.unit_name)
