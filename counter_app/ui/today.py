"""Hôm nay: received today, due today, overdue, waiting to be handed back."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.services.context import Context
from counter_app.ui.common import DossierTable, MessageBar, fmt_date, guarded, heading

SECTIONS = (
    ("received_today", "Tiếp nhận hôm nay"),
    ("due_today", "Đến hạn trả hôm nay"),
    ("overdue", "Quá hạn"),
    ("waiting_hand_back", "Có kết quả, chờ trả"),
)


class TodayScreen(QWidget):
    open_requested = Signal(str)
    register_requested = Signal()

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.title = heading("Hôm nay")
        self.refresh_button = QPushButton("&Làm mới (F5)")
        self.register_button = QPushButton("In &sổ theo dõi hôm nay")
        self.message = MessageBar()
        self.tables: dict[str, DossierTable] = {}
        self.boxes: dict[str, QGroupBox] = {}
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch()
        top.addWidget(self.register_button)
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        layout.addWidget(self.message)
        grid = QGridLayout()
        for index, (key, label) in enumerate(SECTIONS):
            box = QGroupBox(label)
            table = DossierTable(compact=True)
            table.open_requested.connect(self.open_requested)
            QVBoxLayout(box).addWidget(table)
            grid.addWidget(box, index // 2, index % 2)
            self.tables[key], self.boxes[key] = table, box
        layout.addLayout(grid, 1)
        self.hint = QLabel("Chọn một hồ sơ rồi nhấn Enter (hoặc nhấp đúp) để mở.")
        self.hint.setStyleSheet("color:#555;")
        layout.addWidget(self.hint)
        self.refresh_button.clicked.connect(self.refresh)
        self.register_button.clicked.connect(self.register_requested)

    def refresh(self) -> None:
        from counter_app.services.worklists import today_lists

        ok, lists = guarded(self.message, today_lists, self.ctx)
        if not ok:
            return
        now = self.ctx.now()
        self.title.setText(f"Hôm nay, {fmt_date(now.date())}")
        for key, label in SECTIONS:
            entries = getattr(lists, key)
            self.tables[key].set_dossiers(entries, now=now)
            self.boxes[key].setTitle(f"{label} ({len(entries)})")
