from pathlib import Path

from PySide6.QtCore import Qt

from counter_app.app import open_context
from counter_app.ui.main import MainWindow, Overview, SetupForm


def test_first_run_setup_then_overview(qtbot, typist, tmp_path: Path, monkeypatch):
    ctx = open_context(tmp_path / "data")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    form = window.centralWidget()
    assert isinstance(form, SetupForm)

    warnings = []
    monkeypatch.setattr("counter_app.ui.main.QMessageBox.warning", lambda *a: warnings.append(a[2]))
    qtbot.keyClicks(form.unit_code, "000..12")
    typist(form.unit_name, "UBND xã Tân Lập")
    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)
    assert form.unit_name.text() == "UBND xã Tân Lập"
    assert warnings and "mã" in warnings[0].lower()
    assert isinstance(window.centralWidget(), SetupForm)

    form.unit_code.clear()
    qtbot.keyClicks(form.unit_code, "000.00.12.H49")
    form.station.setValue(2)
    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)
    overview = window.centralWidget()
    assert isinstance(overview, Overview)
    assert "000.00.12.H49" in overview.summary.text()
    assert "Quầy số 2" in overview.summary.text()
    assert "30 thủ tục" in overview.summary.text()
    ctx.db.close()
