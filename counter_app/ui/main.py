"""The desk window: set-up, sign-in and lock, then the desk's screens in tabs.

Keyboard: F2 receive, F3 search, F4 hand back, F5 today (refresh), F6 the open dossier,
F7 sync now, F8 statistics, F9 settings, Ctrl+L lock, Ctrl+Q quit; every button has an Alt
mnemonic. A scanned ID card fills the receive screen from anywhere; a scanned receipt opens its
dossier (or loads it into the hand-back screen when that screen is showing).

A moment after the window first shows, two things start in the background: the sync runner
(when the station is enrolled) and the printing fonts' warm-up, so that neither the sync client
nor reportlab is imported before the first screen is drawn. Closing with changes not yet on the
server asks the clerk first.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import TYPE_CHECKING

# Only what the first frame needs: importing a class builds its enums (QAction, QKeySequence,
# QMessageBox and QProgressBar are imported where they are used, after that frame).
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QStackedWidget, QTabWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMessageBox

    from counter_app.services.context import Context
    from counter_app.ui.launch import FirstScreen

WINDOW_TITLE = "Quầy Một Cửa"
IDLE_CHECK_MS = 15_000
STATUS_REFRESH_MS = 30_000
SYNC_START_MS = 1500  # after the window first shows
WARM_UP_MS = 1000
log = logging.getLogger("counter_app.ui")


class Desk(QTabWidget):
    """The screens of a signed-in clerk."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        from PySide6.QtCore import Qt

        from counter_app.ui.detail import DetailScreen
        from counter_app.ui.handback import HandBackScreen
        from counter_app.ui.receive import ReceiveScreen
        from counter_app.ui.reports import ReportsScreen
        from counter_app.ui.search import SearchScreen
        from counter_app.ui.settings import SettingsScreen
        from counter_app.ui.today import TodayScreen

        ctx, username = window.ctx, window.clerk_username
        self.tabBar().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.today = TodayScreen(ctx)
        self.receive = ReceiveScreen(ctx, username)
        self.search = SearchScreen(ctx)
        self.detail = DetailScreen(ctx, username, window.jobs)
        self.hand_back = HandBackScreen(ctx, username)
        self.reports = ReportsScreen(ctx, lambda: window.clerk, window.jobs)
        self.settings = SettingsScreen(ctx, lambda: window.clerk)
        for screen, label in (
            (self.today, "Hôm nay  F5"),
            (self.receive, "Tiếp nhận  F2"),
            (self.search, "Tra cứu  F3"),
            (self.detail, "Hồ sơ  F6"),
            (self.hand_back, "Trả kết quả  F4"),
            (self.reports, "Thống kê  F8"),
            (self.settings, "Cài đặt  F9"),
        ):
            self.addTab(screen, label)


class MainWindow(QMainWindow):
    def __init__(self, ctx: Context, first_screen: FirstScreen | None = None) -> None:
        """`first_screen`: the sign-in form's data, read by ui.launch while `ctx` is still
        being opened (nothing reads the database before the first frame is drawn). With it,
        the first frame is the sign-in form alone: the menus, the status bar, the scanner and
        the background jobs are added right after that frame is drawn (`complete`)."""
        super().__init__()
        self.ctx = ctx
        self.clerk = None  # SignedIn
        self.desk: Desk | None = None
        self.rating_dialog = None
        self.setWindowTitle(WINDOW_TITLE)
        self.resize(1280, 720)
        self.jobs = self.sync = self.scanner = None  # built by `complete`
        self.completed = False
        self._when_complete: list = []
        self.close_box: QMessageBox | None = None
        self._shown_once = self._closed = self._closing_after_sync = False
        self._last_sync_error = ""  # the last round's failure (status bar tooltip)
        self._manual_sync_error = ""  # the last "Đồng bộ ngay" / "Đồng bộ rồi đóng" failure
        self.warm_up_thread: threading.Thread | None = None
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.printing = None
        self.setup_wizard = self.first_password = self.sign_in_screen = None

        if first_screen is not None:
            from counter_app.ui.first_frame import after_first_frame

            screen = self._sign_in_screen(first_screen.unit_name, usernames=False)
            self.stack.setCurrentWidget(screen)
            screen.prepare()
            after_first_frame(self, self.complete)
        else:
            from counter_app.services.office import office_or_none

            self.complete()
            office = office_or_none(ctx)
            if office is None:
                self.show_setup()
            else:
                self.show_sign_in(office.unit_name)

    def complete(self) -> None:
        """The window's chrome (menus and F-key shortcuts, status bar, scanner, background
        jobs, timers), then what waited for it (`when_complete`). Idempotent."""
        if self.completed:
            return
        self.completed = True
        from counter_app.ui.scanner import ScanListener
        from counter_app.ui.sync import SyncController
        from counter_app.ui.workers import Jobs

        self.jobs = Jobs(self)
        self.sync = SyncController(self.ctx, self.jobs, self)
        self.sync.reported.connect(self.on_sync_report)
        self.sync.failed.connect(self.on_sync_failed)
        self.scanner = ScanListener(self)
        QApplication.instance().installEventFilter(self.scanner)
        self.scanner.cccd_scanned.connect(self.on_card_scanned)
        self.scanner.receipt_scanned.connect(self.on_receipt_scanned)
        self._status_bar()
        self._actions()
        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(IDLE_CHECK_MS)
        self.idle_timer.timeout.connect(self.check_idle)
        self.idle_timer.start()
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(STATUS_REFRESH_MS)
        self.status_timer.timeout.connect(self.refresh_status)
        self.status_timer.start()
        callbacks, self._when_complete = self._when_complete, []
        for callback in callbacks:
            callback()

    def when_complete(self, callback) -> None:
        """Call `callback()` once the window is complete (at once if it already is)."""
        if self.completed:
            callback()
        else:
            self._when_complete.append(callback)

    # -- chrome ------------------------------------------------------------------------------

    def _status_bar(self) -> None:
        from PySide6.QtWidgets import QProgressBar

        bar = self.statusBar()
        self.clerk_label = QLabel("Chưa đăng nhập")
        self.sync_label = QLabel("")
        self.sync_warning_label = QLabel("")
        self.sync_warning_label.setStyleSheet("color:#b3261e; font-weight:600;")
        self.sync_warning_label.hide()
        self.activity_label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy
        self.progress.setMaximumWidth(140)
        self.progress.hide()
        bar.addWidget(self.clerk_label)
        bar.addPermanentWidget(self.activity_label)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.sync_warning_label)
        bar.addPermanentWidget(self.sync_label)
        self.jobs.activity.connect(self.on_activity)

    def _actions(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QAction, QKeySequence

        menu = self.menuBar().addMenu("Làm &việc")
        self.desk_actions: list[QAction] = []

        def add(text: str, shortcut: str, slot) -> QAction:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            menu.addAction(action)
            self.addAction(action)
            self.desk_actions.append(action)
            return action

        add("&Tiếp nhận hồ sơ", "F2", lambda: self.go("receive"))
        add("Tra &cứu", "F3", lambda: self.go("search"))
        add("T&rả kết quả", "F4", lambda: self.go("hand_back"))
        add("&Hôm nay", "F5", lambda: self.go("today"))
        add("Hồ &sơ đang mở", "F6", lambda: self.go("detail"))
        add("Thống kê, &báo cáo", "F8", lambda: self.go("reports"))
        add("Cài đặ&t", "F9", lambda: self.go("settings"))
        menu.addSeparator()
        self.sync_now_action = add("Đồng bộ &ngay", "F7", self.sync_now)
        menu.addSeparator()
        add("&Khóa màn hình", "Ctrl+L", self.lock)
        add("Đăng &xuất", "Ctrl+Shift+L", self.sign_out)
        quit_action = QAction("Th&oát", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        menu.addAction(quit_action)
        self.addAction(quit_action)
        help_menu = self.menuBar().addMenu("Trợ &giúp")
        self.about_action = help_menu.addAction("&Giới thiệu")
        self.about_action.triggered.connect(self.show_about)
        self._enable_desk_actions(False)

    def show_about(self) -> None:
        from counter_app.ui.about import AboutDialog

        AboutDialog(self.ctx, self).exec()

    def _enable_desk_actions(self, enabled: bool) -> None:
        for action in self.desk_actions:
            action.setEnabled(enabled)

    def on_activity(self, label: str) -> None:
        self.activity_label.setText(label)
        self.progress.setVisible(bool(label))

    def refresh_status(self) -> None:
        from counter_app.services.worklists import sync_summary
        from counter_app.ui.common import fmt_when

        try:
            summary = sync_summary(self.ctx)
        except Exception:  # the status bar never interrupts work
            return
        if not summary.server_configured:
            state = "Chưa cấu hình máy chủ đồng bộ"
        elif summary.online is None:
            state = "Chưa đồng bộ lần nào"
        else:
            state = "Trực tuyến" if summary.online else "Ngoại tuyến"
        last = fmt_when(summary.last_success, weekday=False) if summary.last_success else "chưa"
        waiting = f"Chờ đồng bộ: {summary.waiting}"
        if summary.quarantined:
            waiting += f" ({summary.quarantined} lỗi)"
        self.sync_label.setText(f"{state}  ·  {waiting}  ·  Lần cuối thành công: {last}")
        self.sync_label.setToolTip(self._last_sync_error)
        warnings = []
        if summary.server_configured and summary.clock_skewed:
            from counter_app.ui.sync import skew_text

            warnings.append(skew_text(summary.clock_skew))
        if summary.conflicts:
            warnings.append(f"{summary.conflicts} xung đột đồng bộ")
        self.sync_warning_label.setText("  ·  ".join(f"⚠ {w}" for w in warnings))
        self.sync_warning_label.setToolTip(
            "Giờ tiếp nhận và giờ hẹn trả tính theo đồng hồ máy: hãy chỉnh lại ngày giờ của máy. "
            "Xung đột đồng bộ được đánh dấu trong quá trình xử lý của hồ sơ (F6)."
        )
        self.sync_warning_label.setVisible(bool(warnings))

    # -- background work started after the first screen is drawn --------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            QTimer.singleShot(WARM_UP_MS, self, self.warm_up_printing)
            QTimer.singleShot(SYNC_START_MS, self, self.start_sync)

    def start_sync(self) -> None:
        if not self._closed:
            self.complete()
            self.sync.start()

    def warm_up_printing(self) -> None:
        """Load reportlab and register the fonts on a background thread (about half a second
        the first receipt would otherwise wait)."""
        if self._closed or self.warm_up_thread is not None:
            return

        def warm_up() -> None:
            try:
                from counter_app.printing import fonts, forms  # noqa: F401
                from counter_app.services import printing  # noqa: F401

                fonts.register_fonts()
            except Exception:  # printing reports its own errors when it is used
                log.exception("printing warm-up failed")

        self.warm_up_thread = threading.Thread(target=warm_up, name="fonts-warm-up", daemon=True)
        self.warm_up_thread.start()

    # -- sync ----------------------------------------------------------------------------------

    def sync_now(self) -> None:
        if not self.sync.sync_now():
            self.show_print_message("info", "Đang đồng bộ; kết quả hiện ở thanh trạng thái.")
            return
        self.sync_label.setText("Đang đồng bộ…")

    def on_sync_report(self, report, manual: bool) -> None:
        self._last_sync_error = self._manual_sync_error = ""
        self.refresh_status()
        if manual:
            lines = report.lines_vi()
            text = lines[0].replace("Đã gửi", "Đã đồng bộ: gửi", 1)
            if report.pending == 0 and not report.warnings:
                text += " Không còn gì chờ gửi."
            if len(lines) > 1:
                text += " " + " ".join(lines[1:])
            self.show_print_message("warn" if len(lines) > 1 else "info", text)

    def on_sync_failed(self, text: str, manual: bool) -> None:
        self._last_sync_error = text
        self.refresh_status()
        if manual:
            self._manual_sync_error = text
            self.show_print_message("error", f"Chưa đồng bộ được: {text}")

    # -- first run, sign-in, lock -------------------------------------------------------

    def show_setup(self) -> None:
        from counter_app.ui.access import SetupWizard

        self.setup_wizard = SetupWizard(self.ctx)
        self.setup_wizard.completed.connect(self._after_setup)
        self.stack.addWidget(self.setup_wizard)
        self.stack.setCurrentWidget(self.setup_wizard)

    def _after_setup(self, username: str) -> None:
        from counter_app.services.office import office_or_none

        office = office_or_none(self.ctx)
        self.show_sign_in(office.unit_name if office else "")
        self.sign_in_screen.username.setText(username)
        self.sign_in_screen.message.info(
            "Đã thiết lập xong. Đăng nhập bằng tài khoản quản trị viên vừa tạo."
        )
        self.sign_in_screen.password.setFocus()

    def context_ready(self) -> None:
        """ui.launch has opened the context: what the first screen left for later."""
        if self.sign_in_screen is not None:
            self.sign_in_screen.refresh_usernames()

    def _sign_in_screen(self, unit_name: str = "", *, usernames: bool = True):
        from counter_app.ui.sign_in import SignInScreen

        if self.sign_in_screen is None:
            if not unit_name:
                from counter_app.services.office import office_or_none

                office = office_or_none(self.ctx)
                unit_name = office.unit_name if office else ""
            self.sign_in_screen = SignInScreen(self.ctx, unit_name)
            self.sign_in_screen.signed_in.connect(self.on_signed_in)
            self.stack.addWidget(self.sign_in_screen)
        if usernames:
            self.sign_in_screen.refresh_usernames()
        return self.sign_in_screen

    def show_sign_in(self, unit_name: str) -> None:
        from counter_app.services.clerks import needs_admin_password
        from counter_app.ui.access import FirstPasswordScreen

        if needs_admin_password(self.ctx):
            self.first_password = FirstPasswordScreen(self.ctx)
            self.first_password.completed.connect(self.on_signed_in)
            self.stack.addWidget(self.first_password)
            self.stack.setCurrentWidget(self.first_password)
            self.first_password.full_name.setFocus()
            return
        screen = self._sign_in_screen(unit_name)
        self.stack.setCurrentWidget(screen)
        screen.prepare()

    def on_signed_in(self, clerk) -> None:
        from counter_app.ui.printing import PrintFlow

        self.complete()
        self.clerk = clerk
        self.clerk_label.setText(
            f"Cán bộ: {clerk.full_name} ({clerk.username}, {clerk.role_label})"
        )
        self.scanner.last_activity = time.monotonic()
        if self.desk is None:
            self.desk = Desk(self)
            self.printing = PrintFlow(self.ctx, self.jobs, self.clerk_username, self)
            self.printing.message.connect(self.show_print_message)
            self._wire_desk()
            self.stack.addWidget(self.desk)
            self.stack.setCurrentWidget(self.desk)
            self.go("receive")
        else:
            self.stack.setCurrentWidget(self.desk)
            self.desk.currentWidget().setFocus()
        self.desk.settings.load()
        self._enable_desk_actions(True)
        self.refresh_status()

    def clerk_username(self) -> str | None:
        return self.clerk.username if self.clerk else None

    def lock(self) -> None:
        """Back to the sign-in screen; the screens keep what was being typed."""
        if self.clerk is None:
            return
        name, username = self.clerk.full_name, self.clerk.username
        self.clerk = None
        screen = self._sign_in_screen()
        screen.username.setText(username)
        self.clerk_label.setText("Màn hình đã khóa")
        self._enable_desk_actions(False)
        self.stack.setCurrentWidget(screen)
        screen.prepare(locked_by=name)

    def sign_out(self) -> None:
        self.lock()
        if self.sign_in_screen is not None:
            self.sign_in_screen.username.clear()
            self.sign_in_screen.prepare()

    def check_idle(self, now: float | None = None) -> bool:
        """Lock when nobody touched the keyboard or mouse for the configured minutes."""
        from counter_app.services.settings import load_settings

        if self.clerk is None:
            return False
        try:
            minutes = load_settings(self.ctx).idle_lock_minutes
        except Exception:
            return False
        idle = (now if now is not None else time.monotonic()) - self.scanner.last_activity
        if minutes and idle >= minutes * 60:
            self.lock()
            return True
        return False

    # -- the desk ------------------------------------------------------------------------

    def _wire_desk(self) -> None:
        d = self.desk
        d.currentChanged.connect(self._on_tab)
        d.receive.saved.connect(self.on_received)
        d.search.open_requested.connect(self.open_dossier)
        d.today.open_requested.connect(self.open_dossier)
        d.today.register_requested.connect(self.print_today_register)
        d.detail.print_requested.connect(self.print_form)
        d.detail.hand_back_requested.connect(self.start_hand_back)
        d.detail.changed.connect(lambda _code: self.refresh_status())
        d.detail.changed.connect(lambda _code: self.sync.wake())
        d.hand_back.handed_back.connect(self.on_handed_back)
        d.settings.settings_changed.connect(self.refresh_status)
        d.reports.register_requested.connect(self.printing.print_register)
        d.settings.settings_changed.connect(d.receive.update_appointment)

    def go(self, name: str) -> None:
        if self.desk is None or self.clerk is None:
            return
        screen = getattr(self.desk, name)
        self.desk.setCurrentWidget(screen)
        if name == "today":
            screen.refresh()
        focus = {
            "receive": lambda: self.desk.receive.procedure_search,
            "search": lambda: self.desk.search.query,
            "hand_back": lambda: self.desk.hand_back.code,
            "today": lambda: self.desk.today.tables["received_today"],
        }.get(name)
        if focus is not None:
            focus().setFocus()

    def _on_tab(self, _index: int) -> None:
        current = self.desk.currentWidget()
        if current is self.desk.today:
            current.refresh()
        elif current is self.desk.receive and current.choices is None:
            current.load_catalog()
        elif current is self.desk.search and current.procedure.count() == 0:
            current.load_procedures()
            current.run()

    def open_dossier(self, code: str) -> None:
        if self.desk is None or self.clerk is None:
            return
        self.desk.setCurrentWidget(self.desk.detail)
        if self.desk.detail.show_dossier(code):
            self.desk.detail.print_button.setFocus()

    def start_hand_back(self, code: str) -> None:
        self.desk.setCurrentWidget(self.desk.hand_back)
        self.desk.hand_back.load(code)

    def on_card_scanned(self, payload: str) -> None:
        if self.desk is None or self.clerk is None:
            return
        if self.desk.currentWidget() is not self.desk.receive:
            self.go("receive")
        self.desk.receive.fill_from_card(payload)

    def on_receipt_scanned(self, code: str) -> None:
        if self.desk is None or self.clerk is None:
            return
        if self.desk.currentWidget() is self.desk.hand_back:
            self.desk.hand_back.load(code)
        else:
            self.open_dossier(code)

    def on_received(self, outcome: str, dossier: dict) -> None:
        form = {"received": "01", "supplement": "02", "refused": "03"}[outcome]
        self.print_form(dossier["code"], form, {})
        self.refresh_status()
        self.sync.wake()

    def print_form(self, code: str, form: str, extra: dict) -> None:
        self.printing.print_form(code, form, extra)

    def printing_folder(self):
        from counter_app.services.settings import load_settings

        return self.printing._folder(load_settings(self.ctx).pdf_folder)

    def print_today_register(self) -> None:
        today = self.ctx.now().date()
        self.printing.print_register(today, today)

    def show_print_message(self, kind: str, text: str) -> None:
        screen = self.desk.currentWidget() if self.desk else None
        bar = getattr(screen, "message", None)
        if bar is not None:
            {"error": bar.error, "warn": bar.warn}.get(kind, bar.info)(text)
        else:
            self.statusBar().showMessage(text, 15_000)

    def on_handed_back(self, dossier: dict) -> None:
        from counter_app.ui.handback import RatingDialog

        self.refresh_status()
        self.sync.wake()
        self.rating_dialog = RatingDialog(self.ctx, dossier, self.clerk_username(), self)
        self.rating_dialog.rated.connect(
            lambda r: self.desk.hand_back.message.info(
                f"Cảm ơn! Đánh giá «{r['level_label']}» đã được ghi cho hồ sơ {r['code']}."
            )
        )
        self.rating_dialog.finished.connect(lambda _r: self.desk.hand_back.code.setFocus())
        self.rating_dialog.open()

    def closing_choice(self) -> str:
        """ "close" when nothing is unsent; otherwise the clerk's answer: "sync", "close" or
        "cancel"."""
        if self._closed or not self.isVisible():
            return "close"
        try:
            from counter_app.services.sync import closing_warning

            warning = closing_warning(self.ctx)
        except Exception:
            log.exception("closing check failed")
            return "close"
        if warning is None:
            return "close"
        if self._manual_sync_error:
            warning = f"Chưa đồng bộ được: {self._manual_sync_error}\n\n{warning}"
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Còn dữ liệu chưa đồng bộ")
        box.setText(warning)
        box.setInformativeText("Đồng bộ với máy chủ tỉnh trước khi đóng?")
        sync = box.addButton("Đồng bộ rồi đóng", QMessageBox.ButtonRole.AcceptRole)
        close = box.addButton("Vẫn đóng", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("Hủy", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(sync)
        box.setEscapeButton(cancel)
        self.close_box = box
        try:
            box.exec()
            clicked = box.clickedButton()
        finally:
            self.close_box = None
        return {sync: "sync", close: "close"}.get(clicked, "cancel")

    def closeEvent(self, event) -> None:
        self.complete()  # e.g. --smoke closes the window at its first paint
        if self._closing_after_sync:
            event.ignore()  # "Đồng bộ rồi đóng" is running: it closes the window when done
            return
        choice = self.closing_choice()
        if choice == "cancel":
            event.ignore()
            return
        if choice == "sync":
            event.ignore()

            def after(_ok: bool) -> None:
                self._closing_after_sync = False
                self.close()  # asks again if something is still unsent

            self.sync_label.setText("Đang đồng bộ trước khi đóng…")
            if self.sync.sync_now(then=after):
                self._closing_after_sync = True
            else:  # a round asked for earlier is running: wait for it, then ask again
                self.jobs.wait()
                QTimer.singleShot(0, self, self.close)
            return
        self._closed = True
        QApplication.instance().removeEventFilter(self.scanner)
        self.sync.stop()
        self.jobs.wait()
        if self.warm_up_thread is not None:
            self.warm_up_thread.join(10)
        super().closeEvent(event)


def run_window(ctx: Context, first_screen: FirstScreen | None = None, on_shown=None) -> int:
    """The window's event loop. `first_screen` and `on_shown(window)` (called once the window
    is shown, before the event loop runs): ui.launch's fast start."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(WINDOW_TITLE)
    from PySide6.QtCore import QLocale

    QLocale.setDefault(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
    from counter_app.ui.icon import application_icon
    from counter_app.ui.translations import install_qt_translators

    install_qt_translators(app)  # Qt's own buttons and dialogs in Vietnamese
    app.setWindowIcon(application_icon())
    window = MainWindow(ctx, first_screen)
    window.show()
    from counter_app.ui.startup_probe import install as install_startup_probe

    install_startup_probe(window)  # bench/startup.py only (an environment variable)
    if on_shown is not None:
        on_shown(window)
    return app.exec()
