"""Regenerate the sample forms of docs/forms/ (PNG at 100 dpi, the PDFs are not kept).

    .venv/bin/python docs/forms/render.py

A throw-away station (fixed clock, sample dossier) prints every paper through the same
services as `counter-app receipt`; each page is rendered with pypdfium2.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

import pypdfium2 as pdfium  # noqa: E402

from counter_app.app import open_context  # noqa: E402
from counter_app.domain.office_time import OFFICE_TZ  # noqa: E402
from counter_app.services.catalog import import_catalog  # noqa: E402
from counter_app.services.context import put_setting  # noqa: E402
from counter_app.services.office import setup_office  # noqa: E402
from counter_app.services.printing import print_form, print_register_book  # noqa: E402
from counter_app.services.registration import register_dossier  # noqa: E402
from counter_app.services.transitions import (  # noqa: E402
    agency_set_status,
    receive_supplement,
    refuse,
    request_supplement,
)

CATALOG = {
    "procedures": [
        {
            "code": "1.000894",
            "name": "Đăng ký kết hôn",
            "sector": "Hộ tịch",
            "agency": "UBND xã Tân Lập",
            "duration": {"kind": "working_days", "value": 3},
            "fee": 0,
            "documents": [],
        }
    ]
}


def applicant(name: str, number: str, gender: str) -> dict:
    return {
        "full_name": name,
        "id_number": number,
        "date_of_birth": "1990-05-17",
        "gender": gender,
        "address": "Thôn Đông Cao, xã Tân Lập, thành phố Hà Nội",
        "phone": "0912 345 678",
    }


class Clock:
    now = datetime(2026, 11, 26, 9, 15, tzinfo=OFFICE_TZ)

    def __call__(self) -> datetime:
        return self.now


def save_pngs(pdf: bytes, name: str) -> list[Path]:
    document = pdfium.PdfDocument(pdf)
    paths = []
    for index in range(len(document)):
        suffix = f"-{index + 1}" if len(document) > 1 else ""
        path = HERE / f"{name}{suffix}.png"
        document[index].render(scale=100 / 72).to_pil().convert("L").save(path, optimize=True)
        paths.append(path)
    document.close()
    return paths


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        ctx = open_context(Path(folder))
        clock = ctx.clock = Clock()
        setup_office(
            ctx,
            unit_code="000.00.12.H49",
            unit_name="UBND xã Tân Lập",
            place="Hà Nội",
            governing_agency="UBND huyện Thạch Thất",
        )
        with ctx.db.write() as session:
            put_setting(session, "server_url", "https://dichvucong.hanoi.gov.vn")
            put_setting(session, "hotline", "024 3825 1234")
        import_catalog(ctx, CATALOG, source="docs")
        documents = [
            {"name": "Tờ khai đăng ký kết hôn theo mẫu", "original": 1},
            {
                "name": "Giấy xác nhận tình trạng hôn nhân của bên nữ do UBND cấp xã nơi cư "
                "trú cấp",
                "original": 1,
            },
            {"name": "Căn cước của hai bên nam, nữ (xuất trình)", "photocopy": 2},
            {"name": "Trích lục ghi chú ly hôn", "certified_copy": 1, "received": False},
        ]
        dossier = register_dossier(
            ctx,
            {
                "procedure_code": "1.000894",
                "applicant": applicant("Nguyễn Thị Ánh Tuyết", "001190012345", "Nữ"),
                "documents": documents,
            },
        )
        code = dossier["code"]
        written = []
        written += save_pngs(print_form(ctx, code, "01", slip=False).pdf, "form01")
        written += save_pngs(print_form(ctx, code, "01", slip=True).pdf, "slip80-reprint")
        written += save_pngs(print_form(ctx, code, "05").pdf, "form05-blank")
        clock.now = datetime(2026, 11, 26, 10, 0, tzinfo=OFFICE_TZ)
        request_supplement(
            ctx, code, reason="Bổ sung trích lục ghi chú ly hôn (bản sao có chứng thực)"
        )
        written += save_pngs(print_form(ctx, code, "02").pdf, "form02")
        clock.now = datetime(2026, 11, 27, 14, 0, tzinfo=OFFICE_TZ)
        receive_supplement(ctx, code)
        clock.now = datetime(2026, 11, 27, 15, 0, tzinfo=OFFICE_TZ)
        agency_set_status(ctx, code, "processing")
        clock.now = datetime(2026, 12, 1, 16, 0, tzinfo=OFFICE_TZ)
        written += save_pngs(
            print_form(
                ctx,
                code,
                "04",
                new_appointment=datetime(2026, 12, 4, 16, 0, tzinfo=OFFICE_TZ),
                reason="Cần xác minh thêm thông tin hộ tịch tại nơi cư trú trước đây",
            ).pdf,
            "form04",
        )
        clock.now = datetime(2026, 12, 3, 10, 0, tzinfo=OFFICE_TZ)
        agency_set_status(ctx, code, "result_ready")
        written += save_pngs(print_form(ctx, code, "05").pdf, "form05")
        clock.now = datetime(2026, 11, 26, 15, 30, tzinfo=OFFICE_TZ)
        other = register_dossier(
            ctx,
            {
                "procedure_code": "1.000894",
                "applicant": applicant("Trần Văn Đức", "001090012346", "Nam"),
            },
        )
        refuse(
            ctx,
            other["code"],
            reason="Hai bên chưa đủ tuổi kết hôn theo quy định của Luật Hôn nhân và gia đình.",
        )
        written += save_pngs(print_form(ctx, other["code"], "03").pdf, "form03")
        clock.now = datetime(2026, 12, 3, 17, 0, tzinfo=OFFICE_TZ)
        written += save_pngs(
            print_register_book(ctx, date(2026, 11, 1), date(2026, 11, 30)).pdf, "register-book"
        )
        ctx.db.close()
    for path in written:
        print(path.relative_to(HERE.parent.parent))


if __name__ == "__main__":
    main()
