"""Make a station's database with an earlier release's own code (tests/test_upgrade.py opens it).

    .venv/bin/python tests/data/upgrade/make_fixture.py COMMIT NAME

Takes `counter_app/` and `resources/` of COMMIT (git archive), runs THAT code's command line in
real processes (setup, register dossiers, hand back, withdraw, supplement, agency steps), then
writes NAME.db (a consistent single-file copy of the database) and NAME.json (what that version
itself showed for each dossier: code, applicant, status, received and appointment times, the
number of steps in its history). The fixtures in this folder were made with:

    make_fixture.py 3e9b5d3 schema-0003    # before migration 0004 (security, audit chain)
    make_fixture.py 816196c schema-0004    # the release before migration 0005
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
UNIT = "000.00.12.H49"

APPLICANTS = [
    ("Nguyễn Văn Dũng", "001090012345", "Nam", "1990-05-17"),
    ("Trần Thị Hồng Nhung", "001190023456", "Nữ", "1990-08-02"),
    ("Lê Đức Anh", "036085003456", "Nam", "1985-01-30"),
    ("Phạm Thị Thu Hà", "001195004567", "Nữ", "1995-11-11"),
    ("Đặng Quốc Việt", "034092005678", "Nam", "1992-03-03"),
    ("Hoàng Minh Châu", "001199006789", "Nữ", "1999-12-24"),
]
# procedure, received at (office time, a past working day), what happens next
DOSSIERS = [
    ("1.001193", "2026-11-02 09:05", None),
    ("1.001731", "2026-11-02 14:20", ("handback",)),
    ("1.001776", "2026-11-03 08:15", ("agency", "processing")),
    ("1.001653", "2026-11-04 10:40", ("supplement",)),
    ("2.001035", "2026-11-05 15:30", ("withdraw",)),
    ("1.013225", "2026-11-06 07:45", ("agency", "result_ready")),
]


def extract(commit: str, into: Path) -> None:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "counter_app", "resources"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def runner(code_dir: Path, data_dir: Path):
    env = {**os.environ, "TZ": "UTC", "PYTHONPATH": str(code_dir)}
    env.pop("COUNTER_APP_DATA_DIR", None)

    def run(*args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "counter_app", "--data-dir", str(data_dir), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=code_dir,
            timeout=120,
        )
        if result.returncode != 0:
            raise SystemExit(f"{args}: {result.stderr}")
        return result.stdout

    return run


def main(commit: str, name: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        code_dir, data_dir = Path(tmp) / "code", Path(tmp) / "data"
        code_dir.mkdir()
        extract(commit, code_dir)
        run = runner(code_dir, data_dir)
        where = subprocess.run(
            [sys.executable, "-c", "import counter_app; print(counter_app.__file__)"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(code_dir)},
            cwd=code_dir,
            check=True,
        ).stdout.strip()
        assert where.startswith(str(code_dir)), where  # that release's code, not this tree's
        version = run("--version").split()[-1]
        run(
            "setup",
            *("--unit-code", UNIT, "--unit-name", "UBND xã Tân Lập", "--station", "1"),
            *("--place", "Hà Nội"),
        )
        codes = []
        for (procedure, received_at, then), person in zip(DOSSIERS, APPLICANTS, strict=True):
            full_name, id_number, gender, born = person
            request = {
                "procedure_code": procedure,
                "applicant": {
                    "kind": "citizen",
                    "full_name": full_name,
                    "id_number": id_number,
                    "date_of_birth": born,
                    "gender": gender,
                    "address": "Thôn Đông, xã Tân Lập, Hà Nội",
                    "phone": "09" + id_number[-8:],
                },
                "sets": 1,
                "channel": "counter",
                "return_method": "counter",
                "received_at": received_at,
            }
            code = json.loads(run("register", "--json", "-", stdin=json.dumps(request)))["code"]
            codes.append(code)
            if then == ("handback",):
                run("agency", "set-status", code, "--status", "result_ready")
                run("handback", code, "--collected-by", full_name)
            elif then and then[0] == "agency":
                run("agency", "set-status", code, "--status", then[1])
            elif then == ("supplement",):
                run("supplement", "request", code, "--reason", "Thiếu bản sao giấy khai sinh")
            elif then == ("withdraw",):
                run("withdraw", code, "--reason", "Công dân xin rút hồ sơ")
        dossiers = []
        for code in codes:
            shown = json.loads(run("show", code, "--json"))
            dossiers.append(
                {
                    "code": shown["code"],
                    "full_name": shown["applicant"]["full_name"],
                    "id_number": shown["applicant"]["id_number"],
                    "procedure_code": shown["procedure"]["code"],
                    "status": shown["status"],
                    "received_at": shown["received_at"],
                    "appointment_at": shown["appointment_at"],
                    "history_steps": len(shown.get("history", [])),
                }
            )
        source = sqlite3.connect(data_dir / "counter.sqlite3")
        revision = source.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        target_path = HERE / f"{name}.db"
        target_path.unlink(missing_ok=True)
        target = sqlite3.connect(target_path)
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
        target.execute("VACUUM")
        target.close()
        source.close()
    manifest = {
        "made_by": f"tests/data/upgrade/make_fixture.py {commit} {name}",
        "commit": commit,
        "version": version,
        "schema": revision,
        "unit_code": UNIT,
        "dossiers": dossiers,
    }
    (HERE / f"{name}.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    print(f"{target_path.name}: schema {revision}, {len(dossiers)} dossiers (version {version})")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
