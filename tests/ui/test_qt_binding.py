"""The Qt binding keeps reference counts right: a window makes millions of Qt calls a day.

PySide6 6.12.0 (on Python 3.11) takes one reference off `None` at every call that returns nothing
(`setText`, `setEnabled`, ...); after about 5,000 such calls the process aborts with "Fatal Python
error: none_dealloc". pyproject.toml keeps that release out; this test fails on it.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel, QPushButton, QTableWidget, QTableWidgetItem


def test_qt_calls_returning_nothing_keep_none_alive(qtbot):
    label, button, table = QLabel(), QPushButton(), QTableWidget(4, 4)
    for widget in (label, button, table):
        qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for i in range(500):
        label.setText(f"Hồ sơ {i}")
        button.setEnabled(i % 2 == 0)
        table.setItem(0, 0, QTableWidgetItem("Nguyễn Văn An"))
        table.setRowCount(4)
    lost = before - sys.getrefcount(None)
    assert lost < 100, f"{lost} references to None lost in 2,000 Qt calls"
