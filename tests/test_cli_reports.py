"""`counter-app report` and `register-book --out FILE.xlsx`, as real processes."""

import json
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from support import DATA, ok, run_cli

from counter_app.domain.office_time import OFFICE_TZ

run = run_cli


@pytest.fixture(scope="module")
def station(tmp_path_factory) -> Path:
    """A station with one dossier overdue (received on paper ten days ago, due that day) and
    one received now; a clerk account besides the administrator."""
    data_dir = tmp_path_factory.mktemp("station")
    ok(run(data_dir, "setup", "--unit-code", "000.00.12.H49", "--unit-name", "UBND xã Tân Lập"))
    ok(run(data_dir, "catalog", "import", str(DATA / "catalog.json")))
    ok(
        run(
            data_dir, "clerk", "add", "lan.nt", "--full-name", "Nguyễn Thị Lan",
            "--password-stdin", stdin="lan-123456\n",
        )
    )  # fmt: skip
    earlier = (datetime.now(OFFICE_TZ) - timedelta(days=10)).replace(hour=9, minute=0)
    for procedure, received_at in (("T.SAME", earlier.isoformat()), ("T.CAL15", None)):
        data = {
            "procedure_code": procedure,
            "applicant": {"full_name": "Hoàng Thị Quá Hạn", "id_number": "001190012345"},
        }
        if received_at:
            data["received_at"] = received_at
        ok(run(data_dir, "register", "--json", "-", stdin=json.dumps(data, ensure_ascii=False)))
    return data_dir


def period() -> tuple[str, str]:
    today = datetime.now(OFFICE_TZ).date()
    return f"{today - timedelta(days=20):%d/%m/%Y}", f"{today:%d/%m/%Y}"


def test_report_prints_a_vietnamese_summary_and_writes_the_workbook(station, tmp_path):
    start, end = period()
    out = tmp_path / "thong-ke.xlsx"
    printed = ok(run(station, "report", "--from", start, "--to", end, "--out", str(out)))
    assert f"Thống kê hồ sơ UBND xã Tân Lập (000.00.12.H49) từ ngày {start}" in printed
    assert "Tiếp nhận: 2; từ chối tiếp nhận: 0" in printed
    assert "trong đó quá hạn 1" in printed
    assert "Hồ sơ quá hạn: 1, đã có Phiếu xin lỗi (Mẫu 04): 0." in printed
    assert "Đã xuất thống kê hồ sơ" in printed and str(out) in printed
    book = openpyxl.load_workbook(out)
    assert "Quá hạn" in book.sheetnames


def test_report_as_json_and_as_a_clerk_without_names(station):
    start, end = period()
    data = json.loads(ok(run(station, "report", "--from", start, "--to", end, "--json")))
    assert data["totals"]["received"] == 2 and data["totals"]["overdue"] == 1
    assert data["late"][0]["applicant"] == "Hoàng Thị Quá Hạn" and data["file"] is None
    assert {row["name"] for row in data["by_sector"]} == {"Chứng thực", "Bảo trợ xã hội"}
    as_clerk = json.loads(
        ok(run(station, "--clerk", "lan.nt", "report", "--from", start, "--to", end, "--json"))
    )
    assert as_clerk["names_shown"] is False and as_clerk["late"][0]["applicant"] == ""
    assert as_clerk["totals"] == data["totals"]


def test_register_book_as_a_workbook_needs_a_supervisor(station, tmp_path):
    today = datetime.now(OFFICE_TZ).date().isoformat()
    out = tmp_path / "so.xlsx"
    refused = run(
        station, "--clerk", "lan.nt", "register-book", "--from", today, "--to", today,
        "--out", str(out),
    )  # fmt: skip
    assert refused.returncode == 2 and "lãnh đạo bộ phận" in refused.stderr
    assert not out.exists()
    printed = ok(run(station, "register-book", "--from", today, "--to", today, "--out", str(out)))
    assert "Đã xuất sổ theo dõi hồ sơ (1 dòng)" in printed
    sheet = openpyxl.load_workbook(out).active
    assert any(c.value == "Hoàng Thị Quá Hạn" for row in sheet.iter_rows() for c in row)
    # --xlsx with another name writes the workbook beside it.
    ok(
        run(
            station, "register-book", "--from", today, "--to", today, "--xlsx",
            "--out", str(tmp_path / "so-2.pdf"),
        )
    )  # fmt: skip
    assert (tmp_path / "so-2.xlsx").exists() and not (tmp_path / "so-2.pdf").exists()


def test_report_errors_exit_2_in_vietnamese(station, tmp_path):
    result = run(station, "report", "--from", "31/02/2026", "--to", "01/03/2026")
    assert result.returncode == 2 and "không phải ngày hợp lệ" in result.stderr
    assert "DD/MM/YYYY" in result.stderr and "Traceback" not in result.stderr
    result = run(station, "report", "--from", "02/03/2026", "--to", "01/03/2026")
    assert result.returncode == 2 and "trước ngày bắt đầu" in result.stderr
    start, end = period()
    out = tmp_path / "thong-ke.pdf"
    result = run(station, "report", "--from", start, "--to", end, "--out", str(out))
    assert result.returncode == 2 and ".xlsx" in result.stderr and not out.exists()
