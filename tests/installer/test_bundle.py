"""The installed program: the PyInstaller bundle that installer/build.sh makes (one folder,
`QuayMotCua` the window and `counter-app` the command line), run as a technician would run it.

The bundle is built once for this module into a temporary folder (about 1.5 minutes on an idle
2-core machine), or taken from COUNTER_APP_BUNDLE=dist/QuayMotCua when set. Each program runs in
a real process with a temporary data folder, a PC clock in UTC, and no time zone database of the
system (PYTHONTZPATH), as on Windows: the bundle must bring its own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import APPLICANT
from upgrade_support import check_upgraded, install_release

from counter_app import __version__
from counter_app.models.database import DB_FILENAME, SCHEMA_HEAD

ROOT = Path(__file__).resolve().parents[2]
UNIT = "000.00.12.H49"
pytestmark = pytest.mark.timeout(1500)

# Never in the desk's bundle: the central server, its stack, the test tools.
LEFT_OUT = (
    "central_server",
    "fastapi",
    "uvicorn",
    "starlette",
    "psycopg",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "schemathesis",
    "PyInstaller",
)
# Loaded by name at run time: the bundle must carry them.
CARRIED = (
    "counter_app.ui.main",
    "counter_app.ui.about",
    "counter_app.models.migrations",
    "alembic.op",
    "alembic.ddl.sqlite",
    "reportlab.graphics.barcode.code128",
    "reportlab.graphics.barcode.qr",
    "barcode.codex",
    "holidays.countries.vietnam",
    "pydantic",
    "argon2",
    "pypdfium2",
    "tzdata",
)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Iterator[Path]:
    given = os.environ.get("COUNTER_APP_BUNDLE")
    if given:
        yield Path(given).resolve()
        return
    out = tmp_path_factory.mktemp("bundle")
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "DIST": str(out / "dist"),
        "WORK": str(out / "work"),
    }
    result = subprocess.run(
        ["bash", str(ROOT / "installer" / "build.sh")],
        capture_output=True,
        text=True,
        env=env,
        timeout=1400,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    print(result.stdout.strip().splitlines()[-2])  # "Bundle: ... (size, built in N s)"
    shutil.rmtree(out / "work")
    yield out / "dist" / "QuayMotCua"
    shutil.rmtree(out)  # about 240 MB


def run(bundle: Path, program: str, data_dir: Path, *args: str, stdin: str | None = None, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "COUNTER_APP_"))
    }
    environment.update(TZ="UTC", PYTHONTZPATH=str(data_dir / "no-system-zoneinfo"), **env)
    return subprocess.run(
        [str(bundle / program), "--data-dir", str(data_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=data_dir.parent,
        timeout=180,
    )


def ok(result) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def test_the_bundle_carries_what_the_desk_loads_and_leaves_the_server_out(bundle):
    from PyInstaller.archive.readers import pkg_archive_contents

    internal = bundle / "_internal"
    for program in ("QuayMotCua", "counter-app"):
        assert (bundle / program).is_file() and os.access(bundle / program, os.X_OK)
    modules = set(pkg_archive_contents(str(bundle / "counter-app")))
    for name in CARRIED:
        assert name in modules or (internal / name).is_dir(), name
    top_level = {name.split(".")[0] for name in modules} | {p.name for p in internal.iterdir()}
    assert not top_level & set(LEFT_OUT), top_level & set(LEFT_OUT)
    assert not [p for p in internal.iterdir() if p.name.lower().startswith("libqt6qml")]
    assert not list(internal.rglob("libqgtk3.so")), "Qt's GTK theme would mix two GTK stacks"

    resources = internal / "resources"
    for path in (
        "fonts/LiberationSerif-Regular.ttf",
        "fonts/OFL.txt",
        "catalog/demo-catalog.json",
        "calendar/vn-overrides.json",
        "icons/counter-app.png",
        "translations/qtbase_vi.qm",
    ):
        assert (resources / path).is_file(), path
    migrations = internal / "counter_app" / "models" / "migrations"
    shipped = sorted(p.name for p in (migrations / "versions").glob("*.py"))
    source = sorted(p.name for p in (ROOT / "counter_app/models/migrations/versions").glob("*.py"))
    assert shipped == source and shipped[-1].startswith(SCHEMA_HEAD)
    assert (migrations / "env.py").is_file()
    assert list((internal / "pypdfium2_raw").glob("*pdfium*")), "pdfium's library"
    assert list(internal.glob("_rl_accel*")), "reportlab's accelerator"
    assert (internal / "tzdata" / "zoneinfo" / "Asia" / "Ho_Chi_Minh").is_file()
    assert (internal / "VERSION").read_text("ascii").strip() == __version__  # for the .iss


def test_the_command_line_registers_a_dossier_and_reads_it_back(bundle, tmp_path):
    data_dir = tmp_path / "station"
    assert ok(run(bundle, "counter-app", data_dir, "--version")).split() == [
        "counter-app",
        __version__,
    ]
    setup = ok(
        run(
            bundle,
            "counter-app",
            data_dir,
            *("setup", "--unit-code", UNIT, "--unit-name", "UBND xã Tân Lập"),
            *("--station", "1", "--place", "Hà Nội"),
        )
    )
    assert "Đã thiết lập: UBND xã Tân Lập" in setup
    catalog = json.loads(ok(run(bundle, "counter-app", data_dir, "catalog", "list", "--json")))
    assert "1.001193" in {p["code"] for p in catalog}  # the demo catalog, seeded on first run
    calendar = ok(run(bundle, "counter-app", data_dir, "calendar", "show", "2026"))
    assert "17/02/2026  Tết Nguyên Đán" in calendar  # holidays' Vietnamese names

    request = {"procedure_code": "1.001193", "applicant": APPLICANT, "sets": 1}
    receipt = tmp_path / "receipt.pdf"
    registered = json.loads(
        ok(
            run(
                bundle,
                "counter-app",
                data_dir,
                *("register", "--json", "-", "--receipt", str(receipt)),
                stdin=json.dumps(request),
            )
        )
    )
    code = registered["code"]
    assert code.startswith(f"{UNIT}-") and registered["status"] == "received"
    assert registered["appointment_at"].endswith("+07:00")  # office time from bundled tzdata
    pdf = receipt.read_bytes()
    assert pdf.startswith(b"%PDF") and b"LiberationSerif" in pdf  # the font is embedded

    found = ok(run(bundle, "counter-app", data_dir, "find", "nguyen van dung"))
    assert code in found and "(1 hồ sơ)" in found
    shown = json.loads(ok(run(bundle, "counter-app", data_dir, "show", code, "--json")))
    assert shown["applicant"]["full_name"] == "Nguyễn Văn Dũng"
    assert [step["to_status"] for step in shown["history"]] == ["received"]

    added = ok(
        run(
            bundle,
            "counter-app",
            data_dir,
            *("clerk", "add", "lan.nt", "--full-name", "Nguyễn Thị Lan", "--password-stdin"),
            stdin="mat-khau-du-dai-2026\n",
        )
    )
    assert "lan.nt" in added  # argon2's compiled binding works
    ok(run(bundle, "counter-app", data_dir, "audit", "verify"))


def test_the_window_opens_headless_and_closes(bundle, tmp_path):
    data_dir = tmp_path / "station"
    result = run(bundle, "QuayMotCua", data_dir, "--smoke", QT_QPA_PLATFORM="offscreen")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Cửa sổ «Quầy Một Cửa» đã hiện" in result.stdout
    assert "Nút của Qt: «Hủy»" in result.stdout  # the bundled Vietnamese of Qt's dialogs
    assert "Traceback" not in result.stderr, result.stderr
    assert (data_dir / DB_FILENAME).is_file()


def test_the_bundle_upgrades_an_earlier_release(bundle, tmp_path):
    data_dir = tmp_path / "station"
    old = install_release("schema-0003", data_dir)  # the oldest: every migration runs, frozen
    code = old["dossiers"][0]["code"]
    check_upgraded(lambda: ok(run(bundle, "counter-app", data_dir, "find", code)), data_dir, old)


def test_vietnamese_through_pipes_whatever_the_code_page(bundle, tmp_path):
    """A PC whose code page cannot encode Vietnamese (Windows' cp1258 lacks most precomposed
    letters; here a Latin-1 locale): the bundle runs in Python's UTF-8 mode."""
    if shutil.which("localedef") is None:
        pytest.skip("localedef is not installed")
    locales = tmp_path / "locales"
    locales.mkdir()
    subprocess.run(
        ["localedef", "-i", "en_US", "-f", "ISO-8859-1", str(locales / "en_US.ISO-8859-1")],
        capture_output=True,
    )
    if not (locales / "en_US.ISO-8859-1").is_dir():
        pytest.skip("this machine cannot make a Latin-1 locale")
    latin1 = {"LOCPATH": str(locales), "LC_ALL": "en_US.ISO-8859-1"}
    data_dir = tmp_path / "station"
    setup = ok(
        run(
            bundle,
            "counter-app",
            data_dir,
            *("setup", "--unit-code", UNIT, "--unit-name", "UBND xã Tân Lập"),
            **latin1,
        )
    )
    assert "Đã thiết lập: UBND xã Tân Lập" in setup
    request = {"procedure_code": "1.001193", "applicant": APPLICANT}
    registered = ok(
        run(
            bundle,
            "counter-app",
            data_dir,
            "register",
            "--json",
            "-",
            stdin=json.dumps(request, ensure_ascii=False),
            **latin1,
        )
    )
    assert json.loads(registered)["applicant"]["full_name"] == "Nguyễn Văn Dũng"
    assert "Thủ tục đăng ký khai sinh" in ok(
        run(bundle, "counter-app", data_dir, "find", "dung", **latin1)
    )
