"""Shared test data: a small catalog with one procedure of each duration kind, an applicant."""

import os
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).parent / "data"

APPLICANT = {
    "kind": "citizen",
    "full_name": "Nguyễn Văn Dũng",
    "id_number": "001090012345",
    "date_of_birth": "1990-05-17",
    "gender": "Nam",
    "address": "Thôn Đông, xã Tân Lập, Hà Nội",
    "phone": "0912 345 678",
}


def registration(**overrides):
    data = {"procedure_code": "T.WD3", "applicant": dict(APPLICANT)}
    data.update(overrides)
    return data


def run_cli(data_dir: Path | None, *args: str, stdin: str | None = None, env: dict | None = None):
    """`counter-app` in a real process whose PC clock is in UTC (business time must not care)."""
    environment = {**os.environ, "TZ": "UTC", **(env or {})}
    environment.pop("COUNTER_APP_DATA_DIR", None)
    command = [sys.executable, "-m", "counter_app"]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    return subprocess.run(
        command + list(args),
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout
