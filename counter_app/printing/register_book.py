"""The register of dossiers (Sổ theo dõi hồ sơ) for a date range, A4 landscape."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from counter_app.printing.fonts import BOLD, REGULAR, register_fonts
from counter_app.printing.layout import build_pdf, grid_style, para, style
from counter_app.printing.model import BookRow, Letterhead
from counter_app.printing.text import markup, nfc, office_time

PAGE = landscape(A4)
MARGINS = {"top": 15 * mm, "bottom": 15 * mm, "left": 20 * mm, "right": 10 * mm}
COLUMNS: tuple[tuple[str, float], ...] = (
    ("STT", 9 * mm),
    ("Mã hồ sơ", 33 * mm),
    ("Tên thủ tục hành chính", 32 * mm),
    ("Số lượng hồ sơ (bộ)", 11 * mm),
    ("Tên cá nhân, tổ chức", 23 * mm),
    ("Địa chỉ, số điện thoại", 27 * mm),
    ("Cơ quan chủ trì giải quyết", 19 * mm),
    ("Nhận hồ sơ", 16 * mm),
    ("Hẹn trả kết quả", 16 * mm),
    ("Chuyển hồ sơ đến cơ quan giải quyết", 17 * mm),
    ("Nhận kết quả từ cơ quan giải quyết", 17 * mm),
    ("Trả kết quả cho cá nhân, tổ chức", 17 * mm),
    ("Ký nhận", 13 * mm),
    ("Ghi chú", 17 * mm),
)


def _when(value: datetime | None) -> str:
    moment = office_time(value)
    return "" if moment is None else f"{moment:%H:%M}<br/>{moment:%d/%m/%Y}"


def _code(code: str) -> str:
    """Break the code after its unit part so that it wraps cleanly in a narrow column."""
    unit, sep, rest = code.partition("-")
    return f"{markup(unit)}-<br/>{markup(rest)}" if sep else markup(code)


def render_register_book(
    rows: Sequence[BookRow],
    office: Letterhead,
    *,
    date_from: date,
    date_to: date,
    books: Sequence[str] = (),
    printed_at: datetime | None = None,
) -> bytes:
    register_fonts()
    cell = style("b_cell", fontSize=8, leading=9.6)
    cell_center = style("b_cc", fontSize=8, leading=9.6, alignment=TA_CENTER)
    head = style("b_head", fontName=BOLD, fontSize=8, leading=9.6, alignment=TA_CENTER)
    title = style("b_title", fontName=BOLD, fontSize=15, leading=19, alignment=TA_CENTER)
    center = style("b_center", fontSize=11, leading=14, alignment=TA_CENTER)
    left = style("b_left", fontSize=11, leading=14)
    left_bold = style("b_left_bold", fontName=BOLD, fontSize=11, leading=14)

    story: list[Flowable] = []
    if office.governing_agency:
        story.append(para(markup(nfc(office.governing_agency).upper()), left))
    story.append(para(markup(nfc(office.unit_name).upper()), left_bold))
    story.append(para(f"Bộ phận Một cửa — quầy số {office.station_number}", left))
    story.append(Spacer(1, 3 * mm))
    story.append(para("SỔ THEO DÕI HỒ SƠ", title))
    period = f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"
    if books:
        period += " — Quyển số: " + ", ".join(markup(b) for b in books)
    story.append(para(period, center))
    story.append(Spacer(1, 4 * mm))

    table_rows: list[list] = [[para(name, head) for name, _ in COLUMNS]]
    table_rows.append([para(f"({i})", cell_center) for i in range(1, len(COLUMNS) + 1)])
    for row in rows:
        contact = markup(row.address)
        if row.phone:
            contact += ("<br/>" if contact else "") + "ĐT: " + markup(row.phone)
        table_rows.append(
            [
                para(str(row.line), cell_center),
                para(_code(row.code), cell),
                para(markup(row.procedure), cell),
                para(str(row.sets), cell_center),
                para(markup(row.applicant), cell),
                para(contact, cell),
                para(markup(row.agency), cell),
                para(_when(row.received_at), cell_center),
                para(_when(row.appointment_at), cell_center),
                para(_when(row.transferred_at), cell_center),
                para(_when(row.result_ready_at), cell_center),
                para(_when(row.returned_at), cell_center),
                "",
                para(markup(row.note), cell),
            ]
        )
    if not rows:
        empty: list = [""] * len(COLUMNS)
        empty[4] = para("(Không có hồ sơ nào trong khoảng thời gian này)", cell)
        table_rows.append(empty)
    table = Table(table_rows, colWidths=[w for _, w in COLUMNS], repeatRows=2)
    table.setStyle(TableStyle([*grid_style(font_size=8), ("VALIGN", (0, 2), (-1, -1), "TOP")]))
    if not rows:
        table.setStyle(TableStyle([("SPAN", (4, 2), (-1, 2))]))
    story.append(table)

    printed = office_time(printed_at)

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 8)
        footer = f"Sổ theo dõi hồ sơ — {nfc(office.unit_name)} — trang {doc.page}"
        if printed is not None:
            footer += f" — in lúc {printed:%H:%M %d/%m/%Y}"
        canvas.drawRightString(PAGE[0] - MARGINS["right"], 8 * mm, nfc(footer))
        canvas.restoreState()

    return build_pdf(
        story,
        title=f"Sổ theo dõi hồ sơ {date_from:%d/%m/%Y} - {date_to:%d/%m/%Y}",
        author=office.unit_name,
        pagesize=PAGE,
        margins=MARGINS,
        decorate=decorate,
    )
