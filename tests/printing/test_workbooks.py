"""The register and the statistics as Excel workbooks, read back with openpyxl."""

import io
import unicodedata
from datetime import date, datetime

import openpyxl
from support import APPLICANT, registration

from counter_app.domain.office_time import OFFICE_TZ
from counter_app.printing.model import BookRow, Letterhead
from counter_app.printing.workbooks import register_workbook
from counter_app.services.printing import print_form
from counter_app.services.registration import register_dossier
from counter_app.services.reports import export_register_book, export_statistics
from counter_app.services.transitions import agency_set_status, hand_back


def heading_row(sheet, first: str) -> int:
    for row in sheet.iter_rows(min_col=1, max_col=1):
        if row[0].value == first:
            return row[0].row
    raise AssertionError(f"no heading {first!r}")


def test_the_register_workbook_has_the_register_columns_and_real_dates(station, clock, tmp_path):
    clock.now = datetime(2026, 11, 26, 9, tzinfo=OFFICE_TZ)
    person = dict(APPLICANT, full_name="Bùi Thị Ánh Tuyết", phone="0987 654 321")
    dossier = register_dossier(station, registration(applicant=person))
    clock.now = datetime(2026, 11, 27, 15, 30, tzinfo=OFFICE_TZ)
    agency_set_status(station, dossier["code"], "result_ready")
    clock.now = datetime(2026, 11, 30, 8, 5, tzinfo=OFFICE_TZ)
    hand_back(station, dossier["code"])

    out = tmp_path / "so-theo-doi.xlsx"
    exported = export_register_book(station, date(2026, 11, 1), date(2026, 11, 30), out)
    assert exported.rows == 1 and "sổ theo dõi hồ sơ" in exported.summary_vi()
    sheet = openpyxl.load_workbook(out).active
    assert sheet.title == "Sổ theo dõi hồ sơ"
    header = [sheet.cell(row=r, column=1).value for r in range(1, 6)]
    assert header[:3] == ["UBND HUYỆN THẠCH THẤT", "UBND XÃ TÂN LẬP", "SỔ THEO DÕI HỒ SƠ"]
    assert "Từ ngày 01/11/2026 đến ngày 30/11/2026 — Quyển số: 2026-Q0" in header
    head = heading_row(sheet, "STT")
    names = [c.value for c in sheet[head]]
    assert names[:3] == ["STT", "Mã hồ sơ", "Tên thủ tục hành chính"]
    assert names[-2:] == ["Ký nhận", "Ghi chú"] and len(names) == 14
    assert sheet.cell(row=head, column=2).font.bold
    assert sheet.freeze_panes == f"A{head + 1}"
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["A"].width
    values = [c.value for c in sheet[head + 1]]
    assert values[:5] == [1, dossier["code"], "Đăng ký kết hôn (thử)", 1, "Bùi Thị Ánh Tuyết"]
    assert "ĐT: 0987654321" in values[5]
    # Office wall-clock times as real Excel dates (the PC here is in UTC).
    assert values[7] == datetime(2026, 11, 26, 9, 0)
    assert values[10] == datetime(2026, 11, 27, 15, 30)
    assert values[11] == datetime(2026, 11, 30, 8, 5)
    assert values[9] is None  # never transferred
    assert sheet.cell(row=head + 1, column=8).number_format == "dd/mm/yyyy hh:mm"


def test_text_is_nfc_in_the_workbook():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Thủy")
    row = BookRow(
        line=1,
        code="000.00.12.H49-261126-0001",
        procedure=unicodedata.normalize("NFD", "Chứng thực"),
        sets=1,
        applicant=decomposed,
        address="",
        phone="",
        agency="UBND xã",
        received_at=datetime(2026, 11, 26, 9, tzinfo=OFFICE_TZ),
        appointment_at=datetime(2026, 11, 26, 17, tzinfo=OFFICE_TZ),
    )
    office = Letterhead("000.00.12.H49", unicodedata.normalize("NFD", "UBND xã Tân Lập"))
    data = register_workbook(
        [row], office, date_from=date(2026, 11, 26), date_to=date(2026, 11, 26)
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    texts = [c.value for r in sheet.iter_rows() for c in r if isinstance(c.value, str)]
    assert "Nguyễn Thị Thủy" in texts and "UBND XÃ TÂN LẬP" in texts
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)


def test_an_empty_register_says_so(station, tmp_path):
    out = export_register_book(station, date(2026, 1, 1), date(2026, 1, 31), tmp_path / "so.xlsx")
    sheet = openpyxl.load_workbook(out.path).active
    head = heading_row(sheet, "STT")
    assert sheet.cell(row=head + 1, column=2).value.startswith("(Không có hồ sơ nào")


def test_the_statistics_workbook_has_its_five_sheets(station, clock, tmp_path):
    clock.now = datetime(2026, 11, 2, 10, tzinfo=OFFICE_TZ)
    late = register_dossier(station, registration(procedure_code="T.SAME"))
    clock.now = datetime(2026, 11, 2, 11, tzinfo=OFFICE_TZ)
    print_form(
        station,
        late["code"],
        "04",
        new_appointment=datetime(2026, 11, 3, 17, tzinfo=OFFICE_TZ),
        reason="Chờ xác minh",
    )
    clock.now = datetime(2026, 11, 3, 10, tzinfo=OFFICE_TZ)
    agency_set_status(station, late["code"], "result_ready")
    register_dossier(station, registration())
    clock.now = datetime(2026, 11, 26, 9, tzinfo=OFFICE_TZ)

    out = tmp_path / "thong-ke.xlsx"
    export_statistics(station, date(2026, 11, 1), date(2026, 11, 30), out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Tổng hợp", "Theo thủ tục", "Theo lĩnh vực", "Quá hạn", "Đánh giá"]

    summary = book["Tổng hợp"]
    figures = {
        r[0].value: r[1].value for r in summary.iter_rows(min_row=heading_row(summary, "Chỉ tiêu"))
    }
    assert figures["Tiếp nhận"] == 2 and figures["Quá hạn"] == 1
    assert figures["Đã giải quyết"] == 1 and figures["Tỷ lệ giải quyết đúng hạn"] == 0
    assert "Kỳ thống kê: từ ngày 01/11/2026 đến ngày 30/11/2026" in [c.value for c in summary["A"]]

    sectors = book["Theo lĩnh vực"]
    head = heading_row(sectors, "Lĩnh vực")
    columns = [c.value for c in sectors[head]]
    rows = {r[0].value: r for r in sectors.iter_rows(min_row=head + 1)}
    assert set(rows) == {"Chứng thực", "Hộ tịch", "Tổng cộng"}
    assert rows["Tổng cộng"][columns.index("Tiếp nhận")].value == 2
    assert rows["Chứng thực"][columns.index("Quá hạn")].value == 1
    assert rows["Tổng cộng"][0].font.bold

    procedures = book["Theo thủ tục"]
    head = heading_row(procedures, "Mã thủ tục")
    assert [c.value for c in procedures[head]][:3] == ["Mã thủ tục", "Tên thủ tục", "Lĩnh vực"]
    assert procedures.cell(row=head + 1, column=2).value == "Chứng thực bản sao từ bản chính (thử)"

    overdue = book["Quá hạn"]
    head = heading_row(overdue, "STT")
    columns = [c.value for c in overdue[head]]
    entry = {name: c.value for name, c in zip(columns, overdue[head + 1], strict=True)}
    assert entry["Mã hồ sơ"] == late["code"] and entry["Người nộp"] == "Nguyễn Văn Dũng"
    assert entry["Đã có Phiếu xin lỗi (Mẫu 04)"] == "Có"
    assert entry["Ngày phát hành Mẫu 04"] == datetime(2026, 11, 2)
    assert entry["Mẫu 04 trước ngày hẹn"] == "Có"
    assert entry["Hẹn trả"] == datetime(2026, 11, 2, 17) and entry["Số ngày làm việc quá hạn"] == 1

    ratings = book["Đánh giá"]
    levels = [r[0].value for r in ratings.iter_rows(min_row=heading_row(ratings, "Mức đánh giá"))]
    assert levels[1:4] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
