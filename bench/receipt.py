"""Time to produce a receipt (Form 01, two A4 pages) for a stored dossier.

    .venv/bin/python bench/receipt.py [--runs 50]

Process start and imports are excluded. Three figures:
- first: the first print in the process (registers the fonts: parses four TTFs);
- service: `services.printing.print_form` as `counter-app receipt` calls it: load the dossier,
  count earlier prints, write the audit row (SQLite, synchronous=FULL), render the PDF;
- render: `printing.forms.render_form01` alone, from the dossier dict.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from counter_app.app import open_context
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.services.catalog import import_catalog
from counter_app.services.context import put_setting
from counter_app.services.office import setup_office
from counter_app.services.printing import print_form
from counter_app.services.registration import register_dossier

CATALOG = {
    "procedures": [
        {
            "code": "1.000894",
            "name": "Đăng ký kết hôn",
            "sector": "Hộ tịch",
            "agency": "UBND xã",
            "duration": {"kind": "working_days", "value": 3},
            "fee": 0,
            "documents": [
                {"name": "Tờ khai đăng ký kết hôn theo mẫu", "original": 1},
                {"name": "Giấy xác nhận tình trạng hôn nhân", "original": 1},
                {"name": "Căn cước của hai bên (xuất trình)", "original": 0, "copy": 2},
            ],
        }
    ]
}


def summary(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{name:<8} median {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms   "
        f"min {ordered[0]:6.1f} ms   ({len(ordered)} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        ctx = open_context(Path(folder))
        ctx.clock = lambda: datetime(2026, 11, 26, 9, 15, tzinfo=OFFICE_TZ)
        setup_office(ctx, unit_code="000.00.12.H49", unit_name="UBND xã Tân Lập", place="Hà Nội")
        with ctx.db.write() as session:
            put_setting(session, "server_url", "https://dichvucong.example.vn")
        import_catalog(ctx, CATALOG, source="bench")
        code = register_dossier(
            ctx,
            {
                "procedure_code": "1.000894",
                "applicant": {
                    "full_name": "Nguyễn Thị Ánh Tuyết",
                    "id_number": "001190012345",
                    "date_of_birth": "1990-05-17",
                    "gender": "Nữ",
                    "address": "Thôn Đông, xã Tân Lập, Hà Nội",
                    "phone": "0912345678",
                },
            },
        )["code"]

        start = time.perf_counter()
        first = print_form(ctx, code, "01", slip=False)
        cold = (time.perf_counter() - start) * 1000
        assert first.pdf.startswith(b"%PDF") and first.reprint == 0

        service = []
        for _ in range(runs):
            start = time.perf_counter()
            print_form(ctx, code, "01", slip=False)
            service.append((time.perf_counter() - start) * 1000)

        from counter_app.printing.forms import render_form01
        from counter_app.printing.model import Letterhead, PrintInfo
        from counter_app.services.search import show_dossier

        dossier = show_dossier(ctx, code)
        office = Letterhead("000.00.12.H49", "UBND xã Tân Lập", "", "Hà Nội")
        info = PrintInfo(ctx.now(), "https://dichvucong.example.vn", "Quản trị viên", "2026-Q0", 1)
        render = []
        for _ in range(runs):
            start = time.perf_counter()
            render_form01(dossier, office, info)
            render.append((time.perf_counter() - start) * 1000)
        ctx.db.close()

    print(
        f"Form 01 (2 A4 pages, {len(first.pdf) // 1024} KiB) on {platform.machine()}, "
        f"Python {platform.python_version()}"
    )
    print(f"first    {cold:6.1f} ms (font registration included)")
    print(summary("service", service))
    print(summary("render", render))


if __name__ == "__main__":
    main()
