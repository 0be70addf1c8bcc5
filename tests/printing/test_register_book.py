"""The register of dossiers (Sổ theo dõi hồ sơ): lines, derived dates, layout."""

from datetime import date, datetime

import pdfcheck as pc
import pytest
from support import APPLICANT, registration

from counter_app.domain.errors import InvalidInput
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.services.printing import (
    print_form,
    print_register_book,
    register_book_rows,
)
from counter_app.services.registration import register_dossier
from counter_app.services.transitions import agency_set_status, hand_back, refuse


def applicant(name: str, number: str, gender: str = "Nam") -> dict:
    return dict(APPLICANT, full_name=name, id_number=number, gender=gender)


def test_rows_carry_the_book_line_and_the_dates_from_the_history(station, clock):
    clock.now = datetime(2026, 11, 25, 8, tzinfo=OFFICE_TZ)
    before = register_dossier(station, registration())["code"]  # outside the range
    clock.now = datetime(2026, 11, 26, 9, tzinfo=OFFICE_TZ)
    first = register_dossier(station, registration(applicant=applicant("An", "001090012346")))
    second = register_dossier(
        station, registration(applicant=applicant("Bình Thị", "001190012347", "Nữ"))
    )
    clock.now = datetime(2026, 11, 26, 14, tzinfo=OFFICE_TZ)
    agency_set_status(station, first["code"], "processing")
    clock.now = datetime(2026, 11, 27, 10, tzinfo=OFFICE_TZ)
    agency_set_status(station, first["code"], "result_ready")
    clock.now = datetime(2026, 11, 27, 15, tzinfo=OFFICE_TZ)
    hand_back(station, first["code"])
    refuse(station, second["code"], reason="Sai thẩm quyền")

    _office, rows = register_book_rows(station, date(2026, 11, 26), date(2026, 11, 26))
    assert [r.code for r in rows] == [first["code"], second["code"]]
    assert [r.line for r in rows] == [2, 3]  # the 25th's dossier is line 1 of the book
    one = rows[0]
    assert one.transferred_at == datetime(2026, 11, 26, 14, tzinfo=OFFICE_TZ)
    assert one.result_ready_at == datetime(2026, 11, 27, 10, tzinfo=OFFICE_TZ)
    assert one.returned_at == datetime(2026, 11, 27, 15, tzinfo=OFFICE_TZ)
    assert rows[1].note == "Từ chối tiếp nhận" and one.note == ""
    # The receipt says the same line.
    receipt = pc.flat(pc.texts(print_form(station, second["code"], "01").pdf)[0])
    assert "Quyển số: 2026-Q0, Số thứ tự: 3" in receipt
    assert before not in [r.code for r in rows]

    printed = print_register_book(station, date(2026, 11, 1), date(2026, 11, 30))
    assert pc.page_sizes_mm(printed.pdf) == [(297.0, 210.0)]
    flat = pc.flat(pc.texts(printed.pdf)[0])
    for expected in (
        "SỔ THEO DÕI HỒ SƠ",
        "Từ ngày 01/11/2026 đến ngày 30/11/2026 — Quyển số: 2026-Q0",
        "Bình Thị",
        "Từ chối tiếp nhận",
        "14:00 26/11/2026",
        "15:00 27/11/2026",
    ):
        assert expected in flat, expected
    assert all(pc.fonts(printed.pdf).values())


def test_many_dossiers_flow_over_pages_with_the_heading_repeated(station, clock):
    for i in range(40):
        number = f"0010900{i + 20000:05d}"
        register_dossier(station, registration(applicant=applicant(f"Người thứ {i}", number)))
    printed = print_register_book(station, date(2026, 11, 26), date(2026, 11, 26))
    pages = pc.texts(printed.pdf)
    assert len(pages) >= 2
    assert all("Tên thủ tục hành chính" in p for p in pages)
    assert "Người thứ 39" in pages[-1]


def test_empty_range_and_bad_ranges(station):
    printed = print_register_book(station, date(2026, 1, 1), date(2026, 1, 31))
    assert "Không có hồ sơ nào" in pc.flat(pc.texts(printed.pdf)[0])
    with pytest.raises(InvalidInput, match="trước ngày bắt đầu"):
        print_register_book(station, date(2026, 2, 1), date(2026, 1, 31))
    with pytest.raises(InvalidInput, match="tối đa"):
        print_register_book(station, date(2025, 1, 1), date(2026, 1, 31))
