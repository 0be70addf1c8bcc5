"""The statistics screen (F8): choose a period, see the counts, the chart, the late list with
its Form 04 column, export the workbooks."""

from datetime import date, datetime

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from support import registration
from support_ui import ADMIN_PASSWORD, open_window, sign_in

from counter_app.domain.office_time import OFFICE_TZ
from counter_app.services.printing import print_form
from counter_app.services.registration import register_dossier
from counter_app.services.transitions import agency_set_status


def late_and_overdue(ctx, clock):
    """One dossier resolved late with a Form 04 and one overdue without, in November 2026."""
    clock.now = datetime(2026, 11, 2, 10, tzinfo=OFFICE_TZ)
    late = register_dossier(ctx, registration(procedure_code="T.SAME"))
    clock.now = datetime(2026, 11, 2, 11, tzinfo=OFFICE_TZ)
    print_form(
        ctx,
        late["code"],
        "04",
        new_appointment=datetime(2026, 11, 3, 17, tzinfo=OFFICE_TZ),
        reason="Chờ xác minh",
    )
    clock.now = datetime(2026, 11, 3, 10, tzinfo=OFFICE_TZ)
    agency_set_status(ctx, late["code"], "result_ready")
    overdue = register_dossier(ctx, registration())
    clock.now = datetime(2026, 11, 26, 9, tzinfo=OFFICE_TZ)
    return late["code"], overdue["code"]


def has_colour(widget, colour: str) -> bool:
    image = widget.grab().toImage()
    wanted = QColor(colour).rgb()
    return any(
        image.pixel(x, y) == wanted
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
    )


def cell(table, row: int, column: int) -> str:
    return table.item(row, column).text()


def column(table, name: str) -> int:
    names = [
        table.horizontalHeaderItem(i).text().replace("\n", " ") for i in range(table.columnCount())
    ]
    return names.index(name)


def test_a_clerk_sees_the_months_figures_and_exports_them(qtbot, window, desk_ctx, clock, tmp_path):
    late, overdue = late_and_overdue(desk_ctx, clock)
    qtbot.keyClick(window, Qt.Key.Key_F8)
    screen = window.desk.reports
    assert window.desk.currentWidget() is screen
    # This month by default, counted in the background as the screen first shows.
    assert screen.period() == (date(2026, 11, 1), date(2026, 11, 26))
    qtbot.waitUntil(lambda: screen.stats is not None, timeout=10_000)
    assert "tiếp nhận <b>2</b>" in screen.summary.text()
    assert "quá hạn 1</span>" in screen.summary.text()

    sectors = screen.sector_table
    assert [cell(sectors, r, 0) for r in range(sectors.rowCount())] == [
        "Chứng thực",
        "Hộ tịch",
        "Tổng cộng",
    ]
    assert cell(sectors, 0, column(sectors, "Quá hạn")) == "1"
    assert cell(sectors, 2, column(sectors, "Tiếp nhận")) == "2"
    assert cell(sectors, 1, column(sectors, "Đang quá hạn")) == "1"
    assert screen.procedure_table.rowCount() == 3
    assert screen.chart.rows == [("Chứng thực", (1, 0, 0, 1)), ("Hộ tịch", (1, 0, 0, 0))]
    # The bars are drawn: the "late" colour is on the chart, and gone once nothing is late.
    assert has_colour(screen.chart, "#d0453a") and has_colour(screen.chart, "#4a78b5")

    table = screen.late_table
    assert [cell(table, r, 0) for r in range(table.rowCount())] == [late, overdue]
    apology = column(table, "Đã có Phiếu xin lỗi (Mẫu 04)")
    assert cell(table, 0, apology) == "Có, ngày 02/11/2026"
    assert cell(table, 1, apology) == "Chưa có"
    # A clerk sees no names in the list, and cannot export the register.
    assert cell(table, 0, column(table, "Người nộp")) == ""
    assert "chỉ hiện với lãnh đạo bộ phận" in screen.late_box.title()
    assert screen.export_register(tmp_path / "so.xlsx") is None
    assert "lãnh đạo bộ phận" in screen.message.text() and not (tmp_path / "so.xlsx").exists()

    # Another period: nothing then.
    screen.set_period(date(2026, 10, 1), date(2026, 10, 31))
    qtbot.mouseClick(screen.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.stats.date_from == date(2026, 10, 1), timeout=10_000)
    assert screen.sector_table.rowCount() == 0 and screen.late_table.rowCount() == 0
    assert screen.chart.rows == [] and not has_colour(screen.chart, "#d0453a")

    # A period backwards says what to fix.
    screen.set_period(date(2026, 11, 20), date(2026, 11, 10))
    screen.refresh()
    qtbot.waitUntil(lambda: screen.message.kind == "error", timeout=10_000)
    assert "trước ngày bắt đầu" in screen.message.text() and screen.show_button.isEnabled()

    # Export (the file dialog answers with a path).
    screen.set_period(date(2026, 11, 1), date(2026, 11, 26))
    out = tmp_path / "thong-ke"
    screen.choose_path = lambda _title, suggested: str(out)
    assert suggested_name(screen) == "thong-ke-20261101-20261126.xlsx"
    qtbot.mouseClick(screen.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.last_export is not None, timeout=10_000)
    assert screen.last_export == tmp_path / "thong-ke.xlsx"
    assert "Đã xuất thống kê hồ sơ" in screen.message.text()
    book = openpyxl.load_workbook(screen.last_export)
    assert book.sheetnames == ["Tổng hợp", "Theo thủ tục", "Theo lĩnh vực", "Quá hạn", "Đánh giá"]
    # Cancelling the dialog exports nothing.
    screen.choose_path = lambda _title, _suggested: ""
    assert screen.export_statistics() is None


def suggested_name(screen) -> str:
    seen = []
    chooser = screen.choose_path
    screen.choose_path = lambda _title, suggested: seen.append(suggested) or ""
    screen.export_statistics()
    screen.choose_path = chooser
    return seen[0].rsplit("/", 1)[-1]


def test_a_supervisor_exports_the_register_and_sees_names(qtbot, desk_ctx, clock, tmp_path):
    late, _overdue = late_and_overdue(desk_ctx, clock)
    window = open_window(qtbot, desk_ctx)
    try:
        sign_in(qtbot, window, "quantri", ADMIN_PASSWORD)
        window.go("reports")
        screen = window.desk.reports
        qtbot.waitUntil(lambda: screen.stats is not None, timeout=10_000)
        assert cell(screen.late_table, 0, column(screen.late_table, "Người nộp")) == (
            "Nguyễn Văn Dũng"
        )
        screen.export_register(tmp_path / "so-theo-doi.xlsx")
        qtbot.waitUntil(lambda: screen.last_export is not None, timeout=10_000)
        assert "Đã xuất sổ theo dõi hồ sơ (2 dòng)" in screen.message.text()
        sheet = openpyxl.load_workbook(screen.last_export).active
        assert any(c.value == late for row in sheet.iter_rows() for c in row)
        # The PDF register of the same period, through the window's printing.
        qtbot.mouseClick(screen.register_pdf_button, Qt.MouseButton.LeftButton)
        window.jobs.wait()
        qtbot.waitUntil(lambda: "Sổ theo dõi hồ sơ" in screen.message.text(), timeout=10_000)
        assert list((tmp_path / "prints").glob("so-theo-doi-20261101-20261126.pdf"))
    finally:
        window.jobs.wait()
        window.close()
