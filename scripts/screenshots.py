"""Take the screenshots of docs/screenshots/ from the real application.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py

Builds a throwaway station in a temporary folder (the demo catalog, realistic demo dossiers
at fixed dates), drives the real window through each screen and saves each one as a PNG.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"

from PySide6.QtCore import QEvent, Qt  # noqa: E402
from PySide6.QtGui import QKeyEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from counter_app.domain.office_time import OFFICE_TZ  # noqa: E402

NOW = datetime(2026, 11, 26, 10, 15, tzinfo=OFFICE_TZ)  # a Thursday morning
CARD = (
    "001090012345||Nguyễn Văn Dũng|17051990|Nam|Số 12 ngõ 5, thôn Đông, xã Tân Lập, Hà Nội|01012021"
)
PEOPLE = [
    # name, ID number, born, gender, phone, procedure, days before NOW, what happened since
    ("Trần Thị Bình", "001186004321", "1986-03-02", "Nữ", "0987111222", "1.001193", 3, "returned"),
    ("Lê Minh Tuấn", "001092007788", "1992-08-19", "Nam", "0903555666", "1.000894", 6, "ready"),
    ("Phạm Thị Hoa", "001195001234", "1995-12-01", "Nữ", "0912000333", "2.000908", 2, "ready"),
    ("Đặng Văn Hùng", "001078006655", "1978-06-30", "Nam", "", "1.000656", 9, "processing"),
    (
        "Nguyễn Thị Mai",
        "001188000333",
        "1988-01-15",
        "Nữ",
        "0968444555",
        "1.001193",
        1,
        "supplement",
    ),
    ("Vũ Đức Thắng", "001085009911", "1985-09-09", "Nam", "0934777888", "1.000894", 0, None),
    ("Hoàng Thị Lan", "001199002468", "1999-04-21", "Nữ", "0977123456", "2.000908", 0, None),
]


def type_text(widget, text: str) -> None:
    widget.setFocus()
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            )


def settle(app, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def shot(app, widget, name: str) -> None:
    settle(app)
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(f"  {path.relative_to(ROOT)}")


def seed(ctx, clock) -> None:
    """Demo dossiers received over the last days, each moved on as its story says."""
    from counter_app.services import transitions
    from counter_app.services.catalog import list_current
    from counter_app.services.registration import register_dossier

    codes = {p.code for p in list_current(ctx)}
    for name, number, born, gender, phone, procedure, days, story in PEOPLE:
        assert procedure in codes, procedure
        when = NOW - timedelta(days=days)
        when = when.replace(hour=8 + len(name) % 3, minute=10 * (len(name) % 5))
        clock.now = when
        applicant = {
            "full_name": name,
            "id_number": number,
            "date_of_birth": born,
            "gender": gender,
            "address": "Xã Tân Lập, huyện Đan Phượng, Hà Nội",
        }
        if phone:
            applicant["phone"] = phone
        code = register_dossier(
            ctx, {"procedure_code": procedure, "applicant": applicant}, clerk="lan.nt"
        )["code"]
        clock.now = min(when + timedelta(hours=3), NOW)
        if story in ("processing", "ready", "returned"):
            transitions.agency_set_status(ctx, code, "processing", clerk="lan.nt")
        if story in ("ready", "returned"):
            transitions.agency_set_status(
                ctx, code, "result_ready", note="Đã ký kết quả", clerk="lan.nt"
            )
        if story == "returned":
            transitions.hand_back(ctx, code, clerk="lan.nt", collected_by=name)
        if story == "supplement":
            transitions.request_supplement(
                ctx, code, clerk="lan.nt", reason="Thiếu bản sao giấy chứng nhận kết hôn"
            )
    clock.now = NOW


MONTH_PROCEDURES = ("1.004873", "2.000908", "1.013831", "1.001612", "1.001731", "2.000815")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
GIVEN = ("Văn An", "Thị Bích", "Minh Châu", "Đức Dũng", "Thị Giang", "Quang Huy", "Thu Hằng")


def seed_month(ctx, clock) -> None:
    """A month of dossiers for the statistics screen: results early, on time and late, some
    open, ratings, one apology (Form 04)."""
    from counter_app.services import transitions
    from counter_app.services.printing import print_form
    from counter_app.services.ratings import rate
    from counter_app.services.registration import register_dossier

    start = NOW.replace(day=2, hour=8, minute=20)
    apology = False
    for i in range(48):
        when = start + timedelta(days=i * 22 // 48, minutes=37 * i % 300)
        if when.weekday() >= 5:
            continue
        clock.now = when
        woman = "Thị" in GIVEN[i % 7] or "Thu" in GIVEN[i % 7]
        applicant = {
            "full_name": f"{FAMILY[i % 10]} {GIVEN[i % 7]}",
            "id_number": f"001{int(woman)}90{i:06d}",
            "date_of_birth": "1990-01-01",
            "gender": "Nữ" if woman else "Nam",
            "address": "Xã Tân Lập, huyện Đan Phượng, Hà Nội",
        }
        procedure = MONTH_PROCEDURES[i % len(MONTH_PROCEDURES)]
        dossier = register_dossier(
            ctx, {"procedure_code": procedure, "applicant": applicant}, clerk="lan.nt"
        )
        code, due = dossier["code"], datetime.fromisoformat(dossier["appointment_at"])
        ready = due + timedelta(days=(-1, 0, -2, 1, 0, 2, -1)[i % 7], hours=-2)
        if i % 7 == 3 and not apology and due < NOW:
            clock.now = due - timedelta(hours=3)
            print_form(
                ctx, code, "04", new_appointment=due + timedelta(days=2), reason="Chờ xác minh"
            )
            apology = True
        if ready <= when or ready >= NOW or i % 11 == 5:
            continue  # still being processed
        clock.now = ready
        transitions.agency_set_status(ctx, code, "processing", clerk="lan.nt")
        transitions.agency_set_status(ctx, code, "result_ready", clerk="lan.nt")
        if ready + timedelta(days=1) < NOW and i % 3:
            clock.now = ready + timedelta(days=1)
            transitions.hand_back(ctx, code, clerk="lan.nt")
            level = ("very_satisfied", "satisfied", "satisfied", "dissatisfied")[i % 4]
            rate(ctx, code, level, reason="Phải chờ lâu", clerk="lan.nt")
    clock.now = NOW


def stage_scans_and_sync(ctx, clock, folder: Path) -> str:
    """Two scans attached to Trần Thị Bình's dossier, an agency step that lost a sync conflict,
    the scanner's folder with a few fresh files, and the sync runner's last figures (no device
    token: the screenshots never talk to a server)."""
    import os
    import uuid

    from counter_app.services.attachments import add_attachment
    from counter_app.services.context import put_setting
    from counter_app.services.search import search_dossiers
    from counter_app.sync import protocol as p
    from counter_app.sync.engine import SyncReport, apply_changes

    code = {d["applicant"]["full_name"]: d for d in search_dossiers(ctx)}["Trần Thị Bình"]
    pdf = b"%PDF-1.4\n" + b"0" * 180_000 + b"\n%%EOF\n"
    jpg = b"\xff\xd8\xff\xe0" + b"1" * 420_000
    # A short, fixed path for the picture (the station's own folder is a random temporary one).
    scans = Path(tempfile.gettempdir()) / "may-quet"
    shutil.rmtree(scans, ignore_errors=True)
    scans.mkdir()
    now = NOW.timestamp()
    for age, name, content in (
        (240, "SCAN_0042.pdf", pdf),
        (120, "SCAN_0043.jpg", jpg),
        (30, "SCAN_0044.pdf", pdf + b"2" * 90_000),
    ):
        (scans / name).write_bytes(content)
        os.utime(scans / name, (now - age, now - age))
    clock.now = NOW - timedelta(days=3, hours=-1)
    for position, name, content in (
        (1, "to-khai-khai-sinh.pdf", pdf),
        (2, "giay-chung-sinh.jpg", jpg),
    ):
        path = folder / name
        path.write_bytes(content)
        add_attachment(ctx, code["code"], path, clerk="lan.nt", document_position=position)
    at = NOW - timedelta(days=3, hours=-4)
    change = p.Change(
        seq=1,
        kind=p.CHANGE_EVENT,
        data={
            "uuid": str(uuid.uuid4()), "dossier_uuid": code["uuid"], "code": code["code"],
            "at": at.isoformat(), "from_status": "result_ready", "to_status": "stopped",
            "action": "agency_set_status", "side": "agency", "reason": "Sai thông tin người mẹ",
            "applied": False,
            "note": "Hồ sơ đã trả kết quả tại quầy trước khi cơ quan dừng xử lý.",
            "status_after": "returned", "appointment_after": code["appointment_at"],
        },
    )  # fmt: skip
    apply_changes(ctx, [change], 1, SyncReport())
    clock.now = NOW
    last = (NOW - timedelta(minutes=4)).isoformat()
    with ctx.db.write() as session:
        put_setting(session, "sync_last_attempt", last)
        put_setting(session, "sync_last_success", last)
        put_setting(session, "sync_clock_skew_seconds", 1.5)
    return str(scans)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Quầy Một Cửa")
    from counter_app.app import open_context
    from counter_app.services import clerks, settings
    from counter_app.services.office import setup_office
    from counter_app.ui.main import MainWindow

    class Clock:
        now = NOW

        def __call__(self):
            return self.now

    clock = Clock()
    with tempfile.TemporaryDirectory() as folder:
        # 1. First run: the set-up wizard.
        fresh = open_context(Path(folder) / "fresh")
        fresh.clock = clock
        window = MainWindow(fresh)
        window.resize(1280, 720)
        window.show()
        wizard = window.setup_wizard
        type_text(wizard.office.unit_code, "000.00.12.H49")
        type_text(wizard.office.unit_name, "UBND xã Tân Lập")
        type_text(wizard.office.governing_agency, "UBND huyện Đan Phượng")
        type_text(wizard.office.place, "Hà Nội")
        shot(app, window, "01-thiet-lap-lan-dau")
        window.close()
        fresh.db.close()

        # The station of the other screenshots.
        ctx = open_context(Path(folder) / "desk")
        ctx.clock = clock
        setup_office(
            ctx,
            unit_code="000.00.12.H49",
            unit_name="UBND xã Tân Lập",
            governing_agency="UBND huyện Đan Phượng",
            place="Hà Nội",
            admin_full_name="Lê Văn Quản",
            admin_password="quantri-demo",
        )
        admin = clerks.sign_in(ctx, "quantri", "quantri-demo")
        clerks.create_clerk(
            ctx, username="lan.nt", full_name="Nguyễn Thị Lan", password="lan-demo-1", acting=admin
        )
        current = settings.load_settings(ctx)
        current.server_url = "https://motcua.hanoi.gov.vn"
        settings.save_settings(ctx, current, acting=admin)
        seed(ctx, clock)
        current = settings.load_settings(ctx)
        current.scan_folder = stage_scans_and_sync(ctx, clock, Path(folder))
        settings.save_settings(ctx, current, acting=admin)

        window = MainWindow(ctx)
        window.resize(1280, 720)
        window.show()
        settle(app)
        screen = window.sign_in_screen
        screen.username.setText("lan.nt")
        screen.prepare()
        shot(app, window, "02-dang-nhap")
        type_text(screen.password, "lan-demo-1")
        screen.submit()

        # Receive: a procedure chosen by typing, the card scanned, the appointment live.
        receive = window.desk.receive
        type_text(receive.procedure_search, "khai sinh")
        shot(app, window, "03-tiep-nhan-chon-thu-tuc")
        receive.choose(receive.procedure_list.item(0).data(256))
        window.on_card_scanned(CARD)
        type_text(receive.phone, "0912345678")
        shot(app, window, "04-tiep-nhan-da-quet-the")
        receive.save()
        window.jobs.wait()
        settle(app, 20)
        if window.printing.preview is not None:
            shot(app, window.printing.preview, "05-xem-truoc-khi-in")
            window.printing.preview.close()

        # Search without diacritics.
        window.go("search")
        search = window.desk.search
        type_text(search.query, "nguyen")
        search.run()
        shot(app, window, "06-tra-cuu")

        # A dossier with its history.
        from counter_app.services.search import search_dossiers

        by_name = {d["applicant"]["full_name"]: d["code"] for d in search_dossiers(ctx)}
        window.open_dossier(by_name["Trần Thị Bình"])
        shot(app, window, "07-ho-so")
        # The scanner's folder: its newest files, one to attach.
        window.desk.detail.attach_from_scan_folder()
        settle(app)
        shot(app, window.desk.detail.scan_dialog, "12-chon-ban-quet")
        window.desk.detail.scan_dialog.reject()
        shutil.rmtree(current.scan_folder, ignore_errors=True)

        # Hand back, then the rating.
        window.go("hand_back")
        hand_back = window.desk.hand_back
        hand_back.load(by_name["Lê Minh Tuấn"])
        shot(app, window, "08-tra-ket-qua")
        hand_back.confirm()
        settle(app)
        dialog = window.rating_dialog
        dialog.choose("dissatisfied")
        type_text(dialog.reason, "Phải chờ hơi lâu ở quầy")
        shot(app, dialog, "09-danh-gia")
        dialog.submit("dissatisfied")

        window.go("today")
        shot(app, window, "10-hom-nay")
        window.lock()
        type_text(window.sign_in_screen.password, "quantri-demo")
        window.sign_in_screen.username.setText("quantri")
        window.sign_in_screen.submit()
        window.go("settings")
        shot(app, window, "11-cai-dat")
        # Statistics of the month (as the administrator: the late list shows the names).
        seed_month(ctx, clock)
        window.go("reports")
        window.desk.reports.refresh()
        window.jobs.wait()
        settle(app, 20)
        shot(app, window, "13-thong-ke")
        window.lock()
        window.close()
        window.jobs.wait()
        ctx.db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
