"""`counter-app receipt`, `register --receipt` and `register-book`, as real processes."""

import json
from datetime import datetime
from pathlib import Path

import pdfcheck as pc
import pytest
from support import DATA, ok, run_cli

from counter_app.domain.office_time import OFFICE_TZ

UNIT = "000.00.12.H49"


run = run_cli


@pytest.fixture(scope="module")
def station(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("station")
    ok(
        run(
            data_dir,
            "setup",
            "--unit-code",
            UNIT,
            "--unit-name",
            "UBND xã Tân Lập",
            "--station",
            "2",
            "--place",
            "Hà Nội",
        )
    )
    ok(run(data_dir, "catalog", "import", str(DATA / "catalog.json")))
    return data_dir


def registration(name: str = "Phạm Thị Thu Hà", number: str = "001190012345") -> str:
    return json.dumps(
        {
            "procedure_code": "T.WD3",
            "applicant": {
                "full_name": name,
                "id_number": number,
                "date_of_birth": "1990-05-17",
                "gender": "Nữ",
                "address": "Thôn Đông",
                "phone": "0912345678",
            },
        },
        ensure_ascii=False,
    )


def test_register_prints_the_receipt_then_reprints_are_marked(station, tmp_path):
    first = tmp_path / "first.pdf"
    result = run(station, "register", "--json", "-", "--receipt", str(first), stdin=registration())
    dossier = json.loads(ok(result))
    assert "Đã in Giấy tiếp nhận" in result.stderr
    code = dossier["code"]
    appointment = datetime.fromisoformat(dossier["appointment_at"]).astimezone(OFFICE_TZ)
    phrase = f"{appointment:%H} giờ {appointment:%M} phút, ngày {appointment:%d} tháng"
    pages = pc.texts(first.read_bytes())
    assert len(pages) == 2
    assert pc.page_sizes_mm(first.read_bytes()) == [(210.0, 297.0)] * 2
    for text in pages:
        flat = pc.flat(text)
        assert code in flat and "Phạm Thị Thu Hà" in flat and phrase in flat
        assert "BẢN IN LẠI" not in flat
    image = pc.pages(first.read_bytes(), dpi=200)[1]
    assert pc.code128(image) == [code]
    assert pc.qr(image) == [code]  # no server configured: the code alone

    again = tmp_path / "again.pdf"
    out = ok(run(station, "receipt", code, "--out", str(again)))
    assert "bản in lại lần 1" in out
    assert all("BẢN IN LẠI (lần 1)" in t for t in pc.texts(again.read_bytes()))

    slip = tmp_path / "slip.pdf"
    ok(run(station, "receipt", code, "--out", str(slip), "--slip"))
    assert pc.page_sizes_mm(slip.read_bytes())[0][0] == 80.0
    assert "BẢN IN LẠI (lần 2)" in pc.texts(slip.read_bytes())[0]

    control = tmp_path / "control.pdf"
    ok(run(station, "receipt", code, "--out", str(control), "--form", "05"))
    assert "PHIẾU KIỂM SOÁT" in pc.texts(control.read_bytes())[0]


def test_form04_without_a_new_appointment_says_what_is_needed(station, tmp_path):
    code = json.loads(ok(run(station, "register", "--json", "-", stdin=registration())))["code"]
    out = tmp_path / "apology.pdf"
    result = run(station, "receipt", code, "--out", str(out), "--form", "04")
    assert result.returncode == 2
    assert "chưa có ngày hẹn mới" in result.stderr and "--new-appointment" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    result = run(
        station,
        "receipt",
        code,
        "--out",
        str(out),
        "--form",
        "04",
        "--new-appointment",
        "2099-01-05 15:00",
        "--reason",
        "Chờ ý kiến cơ quan cấp trên",
    )
    ok(result)
    flat = pc.flat(pc.texts(out.read_bytes())[0])
    assert "15 giờ 00 phút, ngày 05 tháng 01 năm 2099" in flat
    assert "Chờ ý kiến cơ quan cấp trên" in flat
    bad = run(
        station,
        "receipt",
        code,
        "--out",
        str(out),
        "--form",
        "04",
        "--new-appointment",
        "mai",
        "--reason",
        "x",
    )
    assert bad.returncode == 2 and "YYYY-MM-DD HH:MM" in bad.stderr


def test_errors_exit_2_in_vietnamese(station, tmp_path):
    out = tmp_path / "x.pdf"
    result = run(station, "receipt", f"{UNIT}-261126-2999", "--out", str(out))
    assert result.returncode == 2 and "Không tìm thấy hồ sơ" in result.stderr
    code = json.loads(
        ok(
            run(
                station,
                "register",
                "--json",
                "-",
                stdin=registration("Lê Văn Tám", "001090012346").replace('"Nữ"', '"Nam"'),
            )
        )
    )["code"]
    result = run(station, "receipt", code, "--out", str(out), "--form", "03")
    assert result.returncode == 2 and "không bị từ chối" in result.stderr
    result = run(
        station, "register-book", "--from", "2026-12-01", "--to", "2026-11-01", "--out", str(out)
    )
    assert result.returncode == 2 and "trước ngày bắt đầu" in result.stderr
    result = run(
        station, "register-book", "--from", "31/11/2026", "--to", "2026-11-01", "--out", str(out)
    )
    assert result.returncode == 2 and "DD/MM/YYYY" in result.stderr
    assert not out.exists()


def test_register_book_lists_the_stations_dossiers(station, tmp_path):
    code = json.loads(
        ok(
            run(
                station, "register", "--json", "-", stdin=registration("Võ Thị Sáu", "001190012347")
            )
        )
    )["code"]
    today = datetime.now(OFFICE_TZ).date()
    out = tmp_path / "book.pdf"
    printed = ok(
        run(
            station,
            "register-book",
            "--from",
            today.isoformat(),
            "--to",
            today.isoformat(),
            "--out",
            str(out),
        )
    )
    assert "Sổ theo dõi hồ sơ" in printed
    pdf = out.read_bytes()
    assert pc.page_sizes_mm(pdf)[0] == (297.0, 210.0)
    flat = pc.flat("\n".join(pc.texts(pdf)))
    assert "SỔ THEO DÕI HỒ SƠ" in flat and f"Quyển số: {today.year}-Q2" in flat
    unit, rest = code.split("-", 1)
    assert f"{unit}- {rest}" in flat and "Võ Thị Sáu" in flat
    assert all(pc.fonts(pdf).values())


def test_register_keeps_the_dossier_when_the_receipt_cannot_be_written(station, tmp_path):
    target = tmp_path / "no-such-folder" / "receipt.pdf"
    result = run(
        station,
        "register",
        "--json",
        "-",
        "--receipt",
        str(target),
        stdin=registration("Đỗ Văn Hùng", "001090012349").replace('"Nữ"', '"Nam"'),
    )
    assert result.returncode == 1
    code = json.loads(result.stdout)["code"]
    assert f"đã tiếp nhận hồ sơ {code} nhưng chưa in được" in result.stderr
    assert f"counter-app receipt {code}" in result.stderr and "Traceback" not in result.stderr
    # Nothing was printed: the next print is the original, not a reprint.
    out = tmp_path / "receipt.pdf"
    assert "bản in lại" not in ok(run(station, "receipt", code, "--out", str(out)))
    assert "BẢN IN LẠI" not in pc.texts(out.read_bytes())[0]
