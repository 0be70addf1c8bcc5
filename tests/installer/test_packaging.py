"""The installer scripts agree with the bundle and the program (no build needed).

Inno Setup cannot run here: its script is read as text and checked against the PyInstaller
spec's layout, the files it names, the program's version and data folder. The Linux menu entry
is checked by desktop-file-validate when it is installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from counter_app import __version__
from counter_app.app import APP_NAME

ROOT = Path(__file__).resolve().parents[2]
ISS = ROOT / "installer" / "windows" / "counter-app.iss"
SPEC = ROOT / "installer" / "counter-app.spec"
DESKTOP = ROOT / "installer" / "linux" / "counter-app.desktop"
ICONS = ROOT / "resources" / "icons"


def iss_sections() -> dict[str, list[str]]:
    raw = ISS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, or Inno reads the Vietnamese as ANSI"
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in raw.decode("utf-8-sig").splitlines():
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            current = header.group(1)
            sections.setdefault(current, [])
        else:
            sections[current].append(line)
    return sections


def iss_defines() -> dict[str, str]:
    return dict(re.findall(r'^#define (\w+) "([^"]*)"', ISS.read_text("utf-8-sig"), re.M))


def spec_executables() -> list[str]:
    return re.findall(r'EXE\([^)]*?name="([^"]+)"', SPEC.read_text("utf-8"), re.S)


def test_one_version_everywhere():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "counter_app.__version__"
    }
    version = subprocess.run(
        [sys.executable, "-m", "counter_app", "--version"], capture_output=True, text=True
    )
    assert version.stdout.split() == ["counter-app", __version__]
    # The spec writes the version into the bundle; the Windows script reads it from there.
    assert 'VERSION_FILE.write_text(__version__ + "\\n"' in SPEC.read_text("utf-8")
    text = ISS.read_text("utf-8-sig")
    assert 'FileOpen(AddBackslash(SourcePath) + BundleDir + "\\_internal\\VERSION")' in text
    assert "AppVersion={#AppVersion}" in text


def test_windows_script_installs_the_bundle_per_user_and_keeps_the_data():
    sections, defines = iss_sections(), iss_defines()
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"] == "{autopf}\\{#AppFolder}"
    assert defines["AppFolder"] == APP_NAME

    # The files it takes are the spec's two executables and their _internal folder.
    window, command_line = spec_executables()
    assert (defines["AppExe"], defines["CliExe"]) == (f"{window}.exe", f"{command_line}.exe")
    folder = re.search(r'COLLECT\(.*?name="([^"]+)"', SPEC.read_text("utf-8"), re.S).group(1)
    bundle_dir = (ISS.parent / defines["BundleDir"].replace("\\", "/")).resolve()
    assert bundle_dir == ROOT / "dist" / folder
    sources = [re.match(r'Source: "([^"]+)"', line).group(1) for line in sections["Files"]]
    assert sources == [
        "{#BundleDir}\\{#AppExe}",
        "{#BundleDir}\\{#CliExe}",
        "{#BundleDir}\\_internal\\*",
    ]
    icon = (ISS.parent / setup["SetupIconFile"].replace("\\", "/")).resolve()
    assert icon == ICONS / "counter-app.ico" and icon.is_file()

    # A Start-menu shortcut to the window; the desktop one only when asked.
    icons = sections["Icons"]
    assert any(
        line.startswith('Name: "{group}\\{#AppName}"; Filename: "{app}\\{#AppExe}"')
        for line in icons
    )
    assert any("{autodesktop}" in line and "Tasks: desktopicon" in line for line in icons)

    # The data folder is the program's own (platformdirs), never removed; uninstall and upgrade
    # delete only inside {app}.
    assert sections["Dirs"] == ['Name: "{localappdata}\\{#AppFolder}"; Flags: uninsneveruninstall']
    for line in sections["UninstallDelete"] + sections["InstallDelete"]:
        assert 'Name: "{app}\\' in line, line
    # Every {cm:...} used is given in Vietnamese.
    custom = {line.split("=", 1)[0] for line in sections["CustomMessages"]}
    used = {f"vi.{name}" for name in re.findall(r"\{cm:(\w+)", ISS.read_text("utf-8-sig"))}
    assert used <= custom, used - custom


def test_linux_menu_entry_starts_the_window_with_the_icon():
    entry = dict(
        line.split("=", 1) for line in DESKTOP.read_text("utf-8").splitlines() if "=" in line
    )
    window = spec_executables()[0]
    assert entry["Exec"] == f"/opt/{window}/{window}" and entry["Terminal"] == "false"
    assert entry["Name"] == "Quầy Một Cửa" and entry["Icon"] == "counter-app"
    install = (ROOT / "installer" / "linux" / "install.sh").read_text("utf-8")
    assert "counter-app.desktop" in install and "hicolor" in install
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
    result = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_icon_sizes_are_what_their_names_say(qapp):
    from PySide6.QtGui import QImage

    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        image = QImage(str(ICONS / f"counter-app-{size}.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.hasAlphaChannel()
    ico = (ICONS / "counter-app.ico").read_bytes()
    reserved, kind, count = (int.from_bytes(ico[i : i + 2], "little") for i in (0, 2, 4))
    assert (reserved, kind) == (0, 1) and count == 7  # 16–256 px in one .ico
    assert b"<svg" in (ICONS / "counter-app.svg").read_bytes()
