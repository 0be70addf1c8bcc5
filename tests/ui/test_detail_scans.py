"""The dossier screen: scanned documents attached to a document row (from a file, from the
scanner's folder), shown, opened; bad files refused in Vietnamese; a change that lost a sync
conflict marked in the history."""

import hashlib
import os
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from support import registration

from counter_app.services.registration import register_dossier

PDF = b"%PDF-1.4\n" + b"0" * 3000 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 500


def opened(window, desk_ctx) -> str:
    code = register_dossier(desk_ctx, registration())["code"]
    window.open_dossier(code)
    assert window.desk.detail.dossier["code"] == code
    return code


def settle(qtbot, window) -> None:
    qtbot.waitUntil(window.jobs.is_idle)
    QApplication.processEvents()


def test_a_file_attached_to_a_document_row_is_copied_hashed_shown_and_opened(
    qtbot, window, desk_ctx, tmp_path, monkeypatch
):
    from counter_app.services.search import show_dossier

    code = opened(window, desk_ctx)
    detail = window.desk.detail
    names = [detail.attach_target.itemText(i) for i in range(detail.attach_target.count())]
    assert names[-1] == "Cả hồ sơ (giấy tờ khác)" and len(names) == 3
    assert not detail.open_attachment_button.isEnabled()

    scan = tmp_path / "to-khai.pdf"
    scan.write_bytes(PDF)
    # The copy runs on a worker thread: record which thread wrote the file.
    import counter_app.services.attachments as attachments

    threads = []
    real_copy = attachments._copy_with_digest

    def spy(source, target):
        threads.append(threading.current_thread())
        return real_copy(source, target)

    monkeypatch.setattr(attachments, "_copy_with_digest", spy)
    detail.attach_target.setCurrentIndex(1)  # the second document row
    detail.attach_file(str(scan))  # the slot the file dialog's choice goes to
    settle(qtbot, window)
    assert threads and threads[0] is not threading.main_thread()
    assert detail.message.kind == "info", detail.message.text()
    second = detail.dossier["documents"][1]["name"]
    assert f"Đã đính kèm «to-khai.pdf» (2,9 KB) vào giấy tờ «{second}»" in detail.message.text()

    [shown] = show_dossier(desk_ctx, code)["attachments"]
    stored = Path(shown["path"])
    assert stored.parent == desk_ctx.data_dir / "attachments"
    assert stored.read_bytes() == PDF
    assert shown["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert shown["document_position"] == 2 and shown["document_name"] == second
    # In the screen: the row, its document, size, date, not yet sent; the document row's count.
    row = [detail.attachments.item(0, c).text() for c in range(5)]
    assert row == ["to-khai.pdf", second, "2,9 KB", "26/11/2026", "chưa"]
    assert "Đính kèm lúc 09:00 26/11/2026" in detail.attachments.item(0, 0).toolTip()
    assert detail.documents.item(1, 5).text() == "1 tệp"
    assert detail.documents.item(0, 5).text() == ""
    assert detail.attach_target.currentIndex() == 1  # the chosen row stays chosen

    urls = []
    detail.open_url = lambda url: urls.append(url.toLocalFile()) or True
    qtbot.mouseClick(detail.open_attachment_button, Qt.MouseButton.LeftButton)
    assert urls == [str(stored)]

    # The same scan twice: refused, nothing added.
    detail.attach_file(str(scan))
    settle(qtbot, window)
    assert detail.message.kind == "error"
    assert "đã được đính kèm vào hồ sơ" in detail.message.text()
    assert len(show_dossier(desk_ctx, code)["attachments"]) == 1
    assert sorted(p.name for p in stored.parent.iterdir()) == [stored.name]


BAD_FILES = [
    ("ghi-chu.docx", b"PK\x03\x04", "không phải bản quét PDF, JPG hoặc PNG"),
    ("anh.jpg", PNG, "không phải JPG (tệp hỏng hoặc đặt sai đuôi)"),
    ("rong.png", b"", "rỗng"),
    ("to.pdf", PDF + b"0" * (1024 * 1024), "quá giới hạn 1 MB"),
]


def test_other_types_and_too_large_files_are_refused_in_vietnamese(
    qtbot, window, desk_ctx, tmp_path, monkeypatch
):
    from counter_app.services.search import show_dossier

    monkeypatch.setattr("counter_app.services.attachments.MAX_ATTACHMENT_BYTES", 1024 * 1024)
    code = opened(window, desk_ctx)
    detail = window.desk.detail
    for name, content, expected in BAD_FILES:
        detail.message.clear_message()
        path = tmp_path / name
        path.write_bytes(content)
        detail.attach_file(str(path))
        settle(qtbot, window)
        assert detail.message.kind == "error" and expected in detail.message.text(), name
    assert show_dossier(desk_ctx, code)["attachments"] == []
    assert not any((desk_ctx.data_dir / "attachments").glob("*"))


def test_attachment_limit_is_the_servers():
    from counter_app.services import attachments
    from counter_app.sync import protocol

    assert attachments.MAX_ATTACHMENT_BYTES == protocol.MAX_ATTACHMENT_BYTES


def test_attach_the_newest_file_of_the_scanner_folder(qtbot, window, desk_ctx, tmp_path):
    from counter_app.services import clerks, settings

    code = opened(window, desk_ctx)
    detail = window.desk.detail
    qtbot.mouseClick(detail.attach_scan_button, Qt.MouseButton.LeftButton)
    assert detail.message.kind == "error" and "Chưa đặt thư mục máy quét" in detail.message.text()

    folder = tmp_path / "may-quet"
    folder.mkdir()
    now = time.time()
    for age, name, content in (
        (300, "scan-0001.pdf", PDF),
        (60, "scan-0002.png", PNG),
        (10, "ghi-chu.txt", b"not a scan"),
        (120, "scan-0003.jpg", b"\xff\xd8\xff\xe0" + b"1" * 100),
    ):
        (folder / name).write_bytes(content)
        os.utime(folder / name, (now - age, now - age))
    admin = clerks.sign_in(desk_ctx, "quantri", "mat-khau-quan-tri")
    current = settings.load_settings(desk_ctx)
    current.scan_folder = str(folder)
    settings.save_settings(desk_ctx, current, acting=admin)

    qtbot.mouseClick(detail.attach_scan_button, Qt.MouseButton.LeftButton)
    dialog = detail.scan_dialog
    assert dialog is not None and dialog.isVisible()
    listed = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert listed == ["scan-0002.png", "scan-0003.jpg", "scan-0001.pdf"]  # newest first
    assert dialog.table.currentRow() == 0
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert not dialog.isVisible()
    assert detail.attachments.rowCount() == 1
    assert detail.attachments.item(0, 0).text() == "scan-0003.jpg"
    assert detail.attachments.item(0, 1).text() == detail.dossier["documents"][0]["name"]
    assert (folder / "scan-0003.jpg").exists()  # copied, the scanner's file stays
    from counter_app.services.search import show_dossier

    assert show_dossier(desk_ctx, code)["attachments"][0]["content_type"] == "image/jpeg"


def test_scan_folder_setting_must_exist(qtbot, desk_ctx, tmp_path):
    from support_ui import ADMIN_PASSWORD, open_window, sign_in

    window = open_window(qtbot, desk_ctx)
    sign_in(qtbot, window, "quantri", ADMIN_PASSWORD)
    screen = window.desk.settings
    window.go("settings")
    screen.scan_folder.setText(str(tmp_path / "khong-co"))
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error" and "Không thấy thư mục máy quét" in screen.message.text()
    screen.scan_folder.setText(str(tmp_path))
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "info"
    from counter_app.services.settings import load_settings

    assert load_settings(desk_ctx).scan_folder == str(tmp_path)
    window.close()


def lost_agency_step(desk_ctx, dossier):
    """The agency's "processing", sent by the server as kept in the history, not applied."""
    from counter_app.domain.office_time import OFFICE_TZ
    from counter_app.sync import protocol as p

    at = desk_ctx.now().astimezone(OFFICE_TZ) + timedelta(minutes=5)
    change = p.Change(
        seq=1,
        kind=p.CHANGE_EVENT,
        data={
            "uuid": str(uuid.uuid4()),
            "dossier_uuid": dossier["uuid"],
            "code": dossier["code"],
            "at": at.isoformat(),
            "from_status": "received",
            "to_status": "processing",
            "action": "agency_set_status",
            "side": "agency",
            "reason": "Chuyển phòng Tư pháp",
            "applied": False,
            "note": "Hồ sơ đã được rút tại quầy trước khi cơ quan chuyển xử lý.",
            "status_after": "withdrawn",
            "appointment_after": dossier["appointment_at"],
        },
    )
    return change


def test_a_change_that_lost_a_sync_conflict_is_marked_in_the_history(qtbot, window, desk_ctx):
    """The agency's "processing" reached the server after the citizen withdrew at the counter:
    the server kept it in the history without applying it; the counter shows it, marked."""
    from counter_app.services.transitions import withdraw
    from counter_app.sync.engine import SyncReport, apply_changes

    code = opened(window, desk_ctx)
    dossier = withdraw(desk_ctx, code, reason="Công dân xin rút")
    change = lost_agency_step(desk_ctx, dossier)
    apply_changes(desk_ctx, [change], 1, SyncReport())
    window.open_dossier(code)
    history = window.desk.detail.history
    rows = [history.topLevelItem(i) for i in range(history.topLevelItemCount())]
    marked = [r for r in rows if r.data(0, Qt.ItemDataRole.UserRole) == "conflict"]
    assert len(rows) == 3 and len(marked) == 1
    [lost] = marked
    assert lost.text(1) == "⚠ Đang xử lý"
    assert lost.text(2).startswith("Xung đột đồng bộ: Hồ sơ đã được rút tại quầy")
    assert "Chuyển phòng Tư pháp" in lost.text(2)
    assert lost.foreground(1).color().name() == "#b3261e"
    assert "không được áp dụng" in lost.toolTip(0)
    assert window.desk.detail.status.text() == "Đã rút hồ sơ" or "rút" in (
        window.desk.detail.status.text().lower()
    )
    window.refresh_status()
    assert window.sync_warning_label.isVisible()
    assert window.sync_warning_label.text() == "⚠ 1 xung đột đồng bộ"


def test_sync_now_on_a_station_not_enrolled_says_what_to_do(qtbot, window):
    window.go("search")
    qtbot.keyClick(window.desk.search.query, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: window.sync.manual_job is None)
    message = window.desk.search.message
    assert message.kind == "error"
    assert message.text().startswith("Chưa đồng bộ được: Máy này chưa đăng ký với máy chủ tỉnh")
    assert window.sync_label.text().startswith("Chưa cấu hình máy chủ đồng bộ")
    assert window.sync.runner is None


def test_the_conflict_is_also_said_above_the_actions(qtbot, window, desk_ctx):
    from counter_app.services.transitions import withdraw
    from counter_app.sync.engine import SyncReport, apply_changes

    code = opened(window, desk_ctx)
    dossier = withdraw(desk_ctx, code, reason="Công dân xin rút")
    change = lost_agency_step(desk_ctx, dossier)
    apply_changes(desk_ctx, [change], 1, SyncReport())
    window.open_dossier(code)
    message = window.desk.detail.message
    assert message.kind == "warn" and message.isVisibleTo(window)
    assert message.text().startswith("⚠ Có 1 thay đổi không được áp dụng khi đồng bộ")
    assert "Hồ sơ đã được rút tại quầy trước khi cơ quan chuyển xử lý." in message.text()
