"""The printed papers, looked at as a citizen, a clerk and a barcode scanner would."""

import unicodedata
from datetime import datetime, timedelta

import pdfcheck as pc
import pytest
from support import APPLICANT, registration

from counter_app.domain.errors import InvalidInput, NotAllowed
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.printing.forms import COPIES, timeliness
from counter_app.services.context import put_setting
from counter_app.services.printing import print_form
from counter_app.services.registration import register_dossier
from counter_app.services.transitions import (
    agency_set_status,
    hand_back,
    receive_supplement,
    refuse,
    request_supplement,
)

APPOINTMENT = "09 giờ 00 phút, ngày 01 tháng 12 năm 2026"  # T.WD3 received Thu 26/11 09:00
RECEIVED = "09 giờ 00 phút, ngày 26 tháng 11 năm 2026"
A4 = (210.0, 297.0)
TRACK = "https://dichvucong.example.vn/track/"


def register(ctx, **overrides):
    return register_dossier(ctx, registration(**overrides))


def assert_fonts_embedded(pdf: bytes) -> None:
    fonts = pc.fonts(pdf)
    assert fonts, "no font found"
    assert all(fonts.values()), fonts
    assert not any("Helvetica" in name or "Times" in name for name in fonts), fonts
    assert all("LiberationSerif" in name for name in fonts), fonts


def test_form01_has_two_a4_copies_with_every_field(station, tmp_path):
    dossier = register(
        station,
        documents=[
            {"name": "Tờ khai đăng ký kết hôn", "original": 1},
            {"name": "Giấy xác nhận tình trạng hôn nhân", "original": 1, "certified_copy": 2},
            {"name": "Căn cước của hai bên", "photocopy": 3},
        ],
        fee=20000,
    )
    out = tmp_path / "receipt.pdf"
    printed = print_form(station, dossier["code"], "01", out=out)

    assert out.read_bytes() == printed.pdf
    assert (printed.form, printed.layout, printed.reprint) == ("01", "a4", 0)
    assert pc.page_sizes_mm(printed.pdf) == [A4, A4]
    pages = pc.texts(printed.pdf)
    assert len(pages) == 2
    for text, copy in zip(pages, COPIES, strict=True):
        flat = pc.flat(text)
        for expected in (
            "UBND HUYỆN THẠCH THẤT",
            "UBND XÃ TÂN LẬP",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Hà Nội, ngày 26 tháng 11 năm 2026",
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            f"Mã hồ sơ: {dossier['code']}",
            copy,
            "Nguyễn Văn Dũng",
            "Thôn Đông, xã Tân Lập, Hà Nội",
            "Đăng ký kết hôn (thử)",
            "Giấy xác nhận tình trạng hôn nhân 1 2 0",
            "Căn cước của hai bên 0 0 3",
            "2. Số lượng hồ sơ: 01 (bộ)",
            "3. Thời gian giải quyết hồ sơ theo quy định: 3 ngày làm việc",
            f"4. Thời gian nhận hồ sơ: {RECEIVED}",
            f"5. Thời gian trả kết quả giải quyết hồ sơ: {APPOINTMENT}",
            "6. Đăng ký nhận kết quả: Tại Bộ phận Một cửa UBND xã Tân Lập",
            "Phí, lệ phí: 20.000 đồng",
            "Quyển số: 2026-Q0, Số thứ tự: 1",
            "NGƯỜI NỘP HỒ SƠ",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
            "Quản trị viên",
            "024 3825 1234",
        ):
            assert expected in flat, expected
        assert "BẢN IN LẠI" not in flat
        # The appointment is the first thing after the title block.
        assert flat.index("HẸN TRẢ KẾT QUẢ " + APPOINTMENT) < flat.index("Tiếp nhận hồ sơ của")
    assert "Liên 2" not in pages[0] and "Liên 1" not in pages[1]
    assert_fonts_embedded(printed.pdf)


def test_form01_barcode_and_qr_decode_from_a_200_dpi_scan(station):
    dossier = register(station)
    printed = print_form(station, dossier["code"], "01")
    for image in pc.pages(printed.pdf, dpi=200):
        assert pc.code128(image) == [dossier["code"]]
        assert pc.qr(image) == [TRACK + dossier["code"]]
        scan = pc.scanned(image)
        assert pc.code128(scan) == [dossier["code"]]
        assert pc.qr(scan) == [TRACK + dossier["code"]]


def test_without_a_server_the_qr_holds_the_code_alone(station):
    with station.db.write() as session:
        put_setting(session, "server_url", "")
    dossier = register(station)
    image = pc.pages(print_form(station, dossier["code"], "01").pdf, dpi=150)[0]
    assert pc.qr(image) == [dossier["code"]]
    assert "/track/" not in pc.texts(print_form(station, dossier["code"], "01").pdf)[0]


def test_text_is_drawn_nfc_even_from_decomposed_input(station):
    from counter_app.printing import Letterhead, PrintInfo
    from counter_app.printing.forms import render_form01
    from counter_app.services.search import show_dossier

    dossier = show_dossier(station, register(station)["code"])
    nfd = "Nguyễn Thị Ánh Tuyết Đặng"
    dossier["applicant"]["full_name"] = unicodedata.normalize("NFD", nfd)
    office = Letterhead("000.00.12.H49", unicodedata.normalize("NFD", "UBND xã Tân Lập"))
    info = PrintInfo(printed_at=datetime(2026, 11, 26, 9, tzinfo=OFFICE_TZ))
    raw = pc.texts(render_form01(dossier, office, info), normalise=False)[0]
    assert nfd in raw
    assert "Bộ phận Một cửa UBND xã Tân Lập" in pc.flat(raw)
    assert not any(unicodedata.combining(c) for c in raw)


def test_a_long_list_of_documents_still_gives_one_page_per_copy(station):
    documents = [
        {
            "name": f"Giấy tờ số {i}: bản sao giấy khai sinh, giấy chứng nhận quyền sử dụng đất "
            "hoặc giấy tờ khác chứng minh nhân thân",
            "original": 1,
            "photocopy": 1,
        }
        for i in range(1, 9)
    ]
    dossier = register(station, documents=documents, return_method="post")
    printed = print_form(station, dossier["code"], "01")
    pages = pc.texts(printed.pdf)
    assert len(pages) == 2
    assert "bưu chính công ích" in pc.flat(pages[0])
    assert "Giấy tờ số 8" in pages[0] and "NGƯỜI TIẾP NHẬN HỒ SƠ" in pages[0]


def test_reprints_are_marked_and_audited(station):
    from sqlalchemy import select

    from counter_app.models import AuditEntry

    code = register(station)["code"]
    first = print_form(station, code, "01")
    second = print_form(station, code, "01")
    third = print_form(station, code, "01", slip=True)
    assert [p.reprint for p in (first, second, third)] == [0, 1, 2]
    assert all("BẢN IN LẠI" not in t for t in pc.texts(first.pdf))
    assert all("BẢN IN LẠI (lần 1)" in t for t in pc.texts(second.pdf))
    assert "BẢN IN LẠI (lần 2)" in pc.texts(third.pdf)[0]
    # Another form has its own count.
    assert print_form(station, code, "05").reprint == 0
    with station.db.read() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "print.form01").order_by(AuditEntry.id)
        ).all()
        assert [(r.entity_id, r.details["reprint"], r.details["layout"]) for r in rows] == [
            (code, 0, "a4"),
            (code, 1, "a4"),
            (code, 2, "slip80"),
        ]


def test_a_failed_print_leaves_no_audit_row(station, tmp_path):
    code = register(station)["code"]
    with pytest.raises(OSError):
        print_form(station, code, "01", out=tmp_path / "missing" / "r.pdf")
    assert print_form(station, code, "01").reprint == 0


def test_slip_layout_from_the_station_setting(station):
    dossier = register(station)
    with station.db.write() as session:
        put_setting(session, "receipt_layout", "slip80")
    printed = print_form(station, dossier["code"], "01")
    assert printed.layout == "slip80"
    [(width, height)] = pc.page_sizes_mm(printed.pdf)
    assert width == 80.0 and 120 < height < 250
    flat = pc.flat(pc.texts(printed.pdf)[0])
    for expected in (
        "UBND XÃ TÂN LẬP",
        dossier["code"],
        "Nguyễn Văn Dũng",
        "Đăng ký kết hôn (thử)",
        RECEIVED,
        "HẸN TRẢ KẾT QUẢ 09 giờ 00 phút, ngày 01 tháng 12 năm 2026",
    ):
        assert expected in flat, expected
    image = pc.pages(printed.pdf, dpi=203)[0]  # a thermal printer's resolution
    assert pc.code128(image) == [dossier["code"]]
    assert pc.qr(image) == [TRACK + dossier["code"]]
    assert_fonts_embedded(printed.pdf)
    # The other forms stay A4 whatever the setting.
    assert print_form(station, dossier["code"], "05").layout == "a4"


def test_slip_refused_for_other_forms_and_bad_setting(station):
    code = register(station)["code"]
    with pytest.raises(InvalidInput, match="80 mm"):
        print_form(station, code, "05", slip=True)
    with station.db.write() as session:
        put_setting(session, "receipt_layout", "a5")
    with pytest.raises(InvalidInput, match="slip80"):
        print_form(station, code, "01")
    with pytest.raises(InvalidInput, match="Mẫu «07»"):
        print_form(station, code, "07")


def test_form02_lists_the_missing_documents_and_the_reason(station, clock):
    code = register(
        station,
        documents=[
            {"name": "Tờ khai đăng ký kết hôn", "original": 1},
            {"name": "Trích lục ghi chú ly hôn", "certified_copy": 1, "received": False},
        ],
    )["code"]
    with pytest.raises(NotAllowed, match="chưa có yêu cầu bổ sung"):
        print_form(station, code, "02")
    clock.now += timedelta(hours=1)
    request_supplement(station, code, reason="Thiếu trích lục ghi chú ly hôn của bên nam")
    printed = print_form(station, code, "02")
    assert pc.page_sizes_mm(printed.pdf) == [A4]
    flat = pc.flat(pc.texts(printed.pdf)[0])
    for expected in (
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        code,
        "Nguyễn Văn Dũng",
        "1. Trích lục ghi chú ly hôn",
        "Thiếu trích lục ghi chú ly hôn của bên nam",
        "NGƯỜI HƯỚNG DẪN",
    ):
        assert expected in flat, expected
    assert "Tờ khai đăng ký kết hôn" not in flat
    assert_fonts_embedded(printed.pdf)


def test_form03_gives_the_refusal_reason(station):
    code = register(station)["code"]
    with pytest.raises(NotAllowed, match="không bị từ chối"):
        print_form(station, code, "03")
    refuse(station, code, reason="Thủ tục không thuộc thẩm quyền của UBND xã")
    printed = print_form(station, code, "03")
    flat = pc.flat(pc.texts(printed.pdf)[0])
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in flat
    assert "Thủ tục không thuộc thẩm quyền của UBND xã" in flat
    assert code in flat and "Nguyễn Văn Dũng" in flat
    assert_fonts_embedded(printed.pdf)


def test_form04_needs_a_later_appointment(station, clock):
    code = register(station)["code"]
    with pytest.raises(NotAllowed, match="--new-appointment"):
        print_form(station, code, "04")
    too_early = datetime(2026, 11, 30, 9, tzinfo=OFFICE_TZ)
    with pytest.raises(InvalidInput, match="phải sau ngày hẹn ban đầu"):
        print_form(station, code, "04", new_appointment=too_early, reason="Chậm")
    new = datetime(2026, 12, 4, 16, tzinfo=OFFICE_TZ)
    with pytest.raises(InvalidInput, match="lý do"):
        print_form(station, code, "04", new_appointment=new)
    clock.now = datetime(2026, 11, 30, 10, tzinfo=OFFICE_TZ)
    printed = print_form(
        station, code, "04", new_appointment=new, reason="Cần xác minh tại nơi cư trú cũ"
    )
    flat = pc.flat(pc.texts(printed.pdf)[0])
    for expected in (
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "Hà Nội, ngày 30 tháng 11 năm 2026",
        f"Thời hạn trả kết quả đã hẹn: {APPOINTMENT}",
        "Lý do: Cần xác minh tại nơi cư trú cũ",
        "16 giờ 00 phút, ngày 04 tháng 12 năm 2026",
        "xin lỗi Ông/Bà",
    ):
        assert expected in flat, expected


def test_form04_takes_the_new_appointment_from_the_history(station, clock):
    code = register(station)["code"]
    clock.now = datetime(2026, 11, 27, 9, tzinfo=OFFICE_TZ)
    request_supplement(station, code, reason="Thiếu giấy xác nhận")
    clock.now = datetime(2026, 11, 30, 9, tzinfo=OFFICE_TZ)
    moved = receive_supplement(station, code)
    printed = print_form(station, code, "04")
    flat = pc.flat(pc.texts(printed.pdf)[0])
    new = datetime.fromisoformat(moved["appointment_at"])
    assert f"{new:%H} giờ {new:%M} phút, ngày {new:%d} tháng {new:%m} năm {new:%Y}" in flat
    assert APPOINTMENT in flat
    assert "Lý do: Đã nhận hồ sơ bổ sung" in flat


def test_form05_has_one_row_per_hand_off(station, clock):
    code = register(station)["code"]
    blank = pc.flat(pc.texts(print_form(station, code, "05").pdf)[0])
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in blank
    assert blank.count("Người giao") == 3 and "Trước hạn" in blank  # the column heading only
    clock.now = datetime(2026, 11, 26, 14, tzinfo=OFFICE_TZ)
    agency_set_status(station, code, "processing")
    clock.now = datetime(2026, 11, 30, 10, tzinfo=OFFICE_TZ)
    agency_set_status(station, code, "result_ready")
    clock.now = datetime(2026, 12, 1, 15, tzinfo=OFFICE_TZ)
    hand_back(station, code, collected_by="Trần Văn An")
    printed = print_form(station, code, "05")
    flat = pc.flat(pc.texts(printed.pdf)[0])
    for expected in (
        "1. Giao: Bộ phận Một cửa UBND xã Tân Lập Nhận: UBND xã",
        "14 giờ 00 phút, ngày 26 tháng 11 năm 2026",
        "10 giờ 00 phút, ngày 30 tháng 11 năm 2026 Người giao Người nhận Trước hạn",
        "15 giờ 00 phút, ngày 01 tháng 12 năm 2026 Người giao Người nhận Quá hạn",
        "Người nhận: Trần Văn An",
    ):
        assert expected in flat, expected
    assert_fonts_embedded(printed.pdf)


def test_timeliness():
    due = datetime(2026, 12, 1, 9, tzinfo=OFFICE_TZ)
    assert timeliness(due - timedelta(days=1), due) == "Trước hạn"
    assert timeliness(due - timedelta(minutes=30), due) == "Đúng hạn"
    assert timeliness(due, due) == "Đúng hạn"
    assert timeliness(due + timedelta(minutes=1), due) == "Quá hạn"
    assert timeliness(None, due) == ""


def test_unknown_dossier_is_a_vietnamese_error(station):
    from counter_app.domain.errors import NotFound

    with pytest.raises(NotFound, match="Không tìm thấy hồ sơ"):
        print_form(station, "000.00.12.H49-261126-0999", "01")


def test_business_applicant_without_salutation(station):
    applicant = {
        "kind": "business",
        "full_name": "Công ty TNHH Hương Sơn",
        "id_number": "0101234567",
        "address": "Số 1 Tràng Tiền, Hà Nội",
        "phone": "0243 111 222",
    }
    code = register(station, applicant=applicant)["code"]
    flat = pc.flat(pc.texts(print_form(station, code, "01").pdf)[0])
    assert "Tiếp nhận hồ sơ của: Công ty TNHH Hương Sơn" in flat
    assert "0101234567" in flat


def test_second_dossier_of_the_day_is_line_two(station):
    register(station)
    other = dict(APPLICANT, full_name="Lê Thị Hồng", id_number="001190012346", gender="Nữ")
    code = register(station, applicant=other)["code"]
    flat = pc.flat(pc.texts(print_form(station, code, "01").pdf)[0])
    assert "Quyển số: 2026-Q0, Số thứ tự: 2" in flat
    assert "Bà Lê Thị Hồng" in flat


def test_the_fonts_ship_with_their_licence():
    from counter_app.app import resources_dir

    folder = resources_dir() / "fonts"
    for face in ("Regular", "Bold", "Italic", "BoldItalic"):
        assert (folder / f"LiberationSerif-{face}.ttf").stat().st_size > 100_000
    licence = (folder / "OFL.txt").read_text("utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Red Hat" in licence
