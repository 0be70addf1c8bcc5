"""The command line end to end: real processes, temporary data folders, a PC clock in UTC."""

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from support import DATA, ok, run_cli

from counter_app.domain.calendar import WorkCalendar
from counter_app.domain.office_time import OFFICE_TZ

UNIT = "000.00.12.H49"


run = run_cli


@pytest.fixture(scope="module")
def station(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("station")
    ok(
        run(
            data_dir,
            "setup",
            "--unit-code",
            UNIT,
            "--unit-name",
            "UBND xã Tân Lập",
            "--station",
            "1",
            "--place",
            "Hà Nội",
        )
    )
    ok(run(data_dir, "catalog", "import", str(DATA / "catalog.json")))
    return data_dir


def recent_working_monday() -> date:
    """A Monday in the past weeks whose Monday–Thursday are all working days."""
    calendar = WorkCalendar()
    day = datetime.now(OFFICE_TZ).date() - timedelta(days=7)
    while True:
        day -= timedelta(days=1)
        if day.weekday() == 0 and all(
            calendar.is_working_day(day + timedelta(days=i)) for i in range(4)
        ):
            return day


def applicant(name="Nguyễn Văn Dũng", number="001090012345"):
    return {
        "full_name": name,
        "id_number": number,
        "date_of_birth": "1990-05-17",
        "gender": "Nam",
        "address": "Thôn Đông",
        "phone": "0912345678",
    }


def test_help_lists_the_commands():
    out = ok(run(None, "--help"))
    for command in (
        "setup",
        "catalog",
        "calendar",
        "register",
        "find",
        "show",
        "handback",
        "withdraw",
        "refuse",
        "supplement",
    ):
        assert command in out


def test_register_from_a_file_in_a_utc_process(station, tmp_path):
    monday = recent_working_monday()
    request = {
        "procedure_code": "T.WD3",
        "applicant": applicant(),
        "received_at": f"{monday.isoformat()}T09:00:00",
    }
    path = tmp_path / "dossier.json"
    path.write_text(json.dumps(request, ensure_ascii=False), "utf-8")
    result = json.loads(ok(run(station, "register", "--json", str(path))))
    assert result["code"] == f"{UNIT}-{monday:%y%m%d}-1001"
    assert result["status"] == "received"
    # Naive input is office time, whatever the PC's zone; output carries +07:00.
    assert result["received_at"] == f"{monday.isoformat()}T09:00:00+07:00"
    thursday = monday + timedelta(days=3)
    assert result["appointment_at"] == f"{thursday.isoformat()}T09:00:00+07:00"
    assert result["applicant"] == result["applicant"] | {
        "full_name": "Nguyễn Văn Dũng",
        "id_number": "001090012345",
        "date_of_birth": "1990-05-17",
        "gender": "Nam",
    }


def test_register_from_stdin_now(station):
    request = {
        "procedure_code": "T.SAME",
        "applicant": applicant("Đặng Thị Hằng", "079185000111")
        | {"date_of_birth": "1985-02-01", "gender": "Nữ"},
    }
    result = json.loads(
        ok(run(station, "register", "--json", "-", stdin=json.dumps(request, ensure_ascii=False)))
    )
    today = datetime.now(OFFICE_TZ).date()
    assert result["code"].startswith(f"{UNIT}-{today:%y%m%d}-1")
    assert result["received_at"].endswith("+07:00")
    appointment = datetime.fromisoformat(result["appointment_at"])
    assert appointment.hour == 17 and appointment.minute == 0

    found = ok(run(station, "find", "dang thi hang"))
    assert result["code"] in found and "Đặng Thị Hằng" in found
    found_json = json.loads(ok(run(station, "find", "079185000111", "--json")))
    assert [d["code"] for d in found_json] == [result["code"]]
    shown = json.loads(ok(run(station, "show", result["code"], "--json")))
    assert [e["to_status"] for e in shown["history"]] == ["received"]
    assert "Đã tiếp nhận" in ok(run(station, "show", result["code"]))


@pytest.mark.parametrize(
    ("request_data", "field"),
    [
        ({"procedure_code": "T.WD3"}, "applicant"),
        ({"procedure_code": "NOPE", "applicant": applicant()}, "procedure_code"),
        (
            {"procedure_code": "T.WD3", "applicant": applicant() | {"gender": "Nữ"}},
            "applicant.id_number",
        ),
        (
            {
                "procedure_code": "T.WD3",
                "applicant": applicant(),
                "received_at": "2999-01-01T09:00:00",
            },
            "received_at",
        ),
    ],
)
def test_bad_input_exits_2_names_the_field_and_saves_nothing(station, request_data, field):
    before = json.loads(ok(run(station, "find", "nguyen", "--json")))
    result = run(station, "register", "--json", "-", stdin=json.dumps(request_data))
    assert result.returncode == 2
    assert field in result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads(ok(run(station, "find", "nguyen", "--json"))) == before


def test_not_json_is_refused_clearly(station, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", "utf-8")
    result = run(station, "register", "--json", str(path))
    assert result.returncode == 2 and "JSON" in result.stderr and "Traceback" not in result.stderr
    result = run(station, "register", "--json", str(tmp_path / "missing.json"))
    assert result.returncode == 2 and "Không tìm thấy" in result.stderr


def test_the_counter_transitions(station):
    def register():
        request = {"procedure_code": "T.WD3", "applicant": applicant()}
        return json.loads(ok(run(station, "register", "--json", "-", stdin=json.dumps(request))))[
            "code"
        ]

    code = register()
    refused = run(station, "handback", code)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    ok(run(station, "agency", "set-status", code, "--status", "result_ready"))
    ok(run(station, "handback", code, "--collected-by", "Trần Văn An"))
    assert json.loads(ok(run(station, "show", code, "--json")))["status"] == "returned"

    code = register()
    ok(run(station, "supplement", "request", code, "--reason", "Thiếu tờ khai"))
    assert json.loads(ok(run(station, "show", code, "--json")))["status"] == (
        "supplement_requested"
    )
    ok(run(station, "supplement", "receive", code))
    assert json.loads(ok(run(station, "show", code, "--json")))["status"] == "received"
    ok(run(station, "withdraw", code, "--reason", "Công dân xin rút"))
    assert json.loads(ok(run(station, "show", code, "--json")))["status"] == "withdrawn"

    code = register()
    ok(run(station, "refuse", code, "--reason", "Không thuộc thẩm quyền"))
    history = json.loads(ok(run(station, "show", code, "--json")))["history"]
    assert [e["to_status"] for e in history] == ["received", "refused"]
    assert history[-1]["reason"] == "Không thuộc thẩm quyền"


def test_catalog_list_and_calendar(station, tmp_path):
    listing = ok(run(station, "catalog", "list"))
    assert "T.WD3" in listing and "Đăng ký kết hôn (thử)" in listing
    shown = json.loads(ok(run(station, "calendar", "show", "2026", "--json")))
    off = {d["date"] for d in shown["days_off"]}
    assert {"2026-02-17", "2026-04-27", "2026-04-30", "2026-05-01", "2026-01-02"} <= off
    assert {"2026-08-22", "2026-01-10"} <= set(shown["working_days"])
    path = tmp_path / "calendar.json"
    path.write_text(json.dumps({"days_off": ["2026-12-31"], "working_days": []}), "utf-8")
    ok(run(station, "calendar", "import", str(path)))
    shown = json.loads(ok(run(station, "calendar", "show", "2026", "--json")))
    assert "2026-12-31" in {d["date"] for d in shown["days_off"]}
    path.write_text(json.dumps({"days_off": ["2026-02-30"]}), "utf-8")
    result = run(station, "calendar", "import", str(path))
    assert result.returncode == 2 and "2026-02-30" in result.stderr


def test_default_data_folder_and_demo_catalog(tmp_path):
    """No --data-dir: the user's data folder (platformdirs), with the demo catalog loaded."""
    home = tmp_path / "home"
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share")}
    listing = ok(run(None, "catalog", "list", "--json", env=env))
    assert len(json.loads(listing)) >= 25
    assert (home / ".local" / "share" / "QuayMotCua" / "counter.sqlite3").exists()
    not_set_up = run(
        None,
        "register",
        "--json",
        "-",
        env=env,
        stdin=json.dumps({"procedure_code": "x", "applicant": applicant()}),
    )
    assert not_set_up.returncode == 2 and "setup" in not_set_up.stderr


CONCURRENT = """
import sys, time
from pathlib import Path
from counter_app.app import open_context
from counter_app.services.registration import register_dossier
ctx = open_context(Path(sys.argv[1]))
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.001)
for _ in range(50):
    print(register_dossier(ctx, {"procedure_code": "T.WH4", "applicant": {
        "full_name": "Lê Văn Tám", "id_number": "001090012345", "date_of_birth": "1990-01-01",
        "gender": "Nam"}})["code"], flush=True)
"""


def test_two_processes_registering_at_once_never_collide(tmp_path):
    data_dir = tmp_path / "shared"
    ok(run(data_dir, "setup", "--unit-code", UNIT, "--unit-name", "UBND xã", "--station", "3"))
    ok(run(data_dir, "catalog", "import", str(DATA / "catalog.json")))
    import time

    start = str(time.time() + 2)
    env = {**os.environ, "TZ": "UTC"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT, str(data_dir), start],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    codes = [line for out, _ in outputs for line in out.split()]
    assert len(codes) == 100
    assert len(set(codes)) == 100
    numbers = sorted(int(code[-4:]) for code in codes)
    assert numbers == list(range(3001, 3101))  # no duplicate, no gap
