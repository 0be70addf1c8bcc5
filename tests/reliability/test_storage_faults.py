"""Storage faults: a full disk, a read-only data folder, a database locked by another process
beyond the busy timeout, a corrupted database file. Each gives the clerk a Vietnamese sentence
(exit status 1, no traceback) and loses nothing that was saved. Backups: daily with rotation,
by hand, restore (checked, the current database kept first)."""

import contextlib
import io
import os
import sqlite3
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from reliability.conftest import prepare_station
from support import registration

from counter_app.cli import main
from counter_app.models import database
from counter_app.services import backup

DB = "counter.sqlite3"


def cli(data_dir: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            status = main(["--data-dir", str(data_dir), *args])
    finally:
        sys.stdin = old_stdin
    return status, out.getvalue(), err.getvalue()


def register(data_dir: Path) -> tuple[int, str, str]:
    import json

    return cli(data_dir, "register", "--json", "-", stdin=json.dumps(registration()))


def codes(data_dir: Path) -> list[str]:
    connection = sqlite3.connect(data_dir / DB)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [r[0] for r in connection.execute("SELECT code FROM dossiers ORDER BY code")]
    finally:
        connection.close()


def assert_clear_failure(result, *words: str) -> None:
    status, _, err = result
    assert status == 1, err
    assert "Traceback" not in err and err.startswith("Lỗi: ")
    for word in words:
        assert word in err, err


@contextlib.contextmanager
def tmpfs(path: Path, size: str):
    """A tiny real filesystem (root only); skips the test where mounting is not allowed."""
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def test_disk_full_on_a_real_tiny_filesystem(tmp_path, migrated_database):
    with tmpfs(tmp_path / "disk", "2m") as disk:
        station = prepare_station(disk / "station", migrated_database)
        saved = [register(station) for _ in range(3)]
        assert all(s[0] == 0 for s in saved)
        before = codes(station)
        filler = disk / "filler"
        with filler.open("wb") as handle, contextlib.suppress(OSError):
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        failed = [register(station) for _ in range(3)]  # a clerk tries again: same answer
        for result in failed:
            assert_clear_failure(result, "đầy", "CHƯA được lưu")
        filler.unlink()
        assert codes(station) == before  # nothing lost, nothing half-written
        assert register(station)[0] == 0
        assert len(codes(station)) == len(before) + 1


def test_disk_full_simulated_with_max_page_count(station_dir, monkeypatch):
    assert register(station_dir)[0] == 0
    before = codes(station_dir)
    original = database._on_connect

    def full(connection, record):
        original(connection, record)
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count={pages}")

    monkeypatch.setattr(database, "_on_connect", full)
    for _ in range(3):  # with the WAL, the first ones may fit; then the "disk" is full
        result = register(station_dir)
    assert_clear_failure(result, "đầy")
    monkeypatch.setattr(database, "_on_connect", original)
    after = codes(station_dir)
    assert set(before) <= set(after)
    assert register(station_dir)[0] == 0


def test_read_only_data_folder(tmp_path, migrated_database):
    with tmpfs(tmp_path / "disk", "20m") as disk:
        station = prepare_station(disk / "station", migrated_database)
        assert register(station)[0] == 0
        before = codes(station)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        try:
            assert_clear_failure(register(station), "chỉ đọc", "CHƯA được lưu")
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        assert codes(station) == before
        assert register(station)[0] == 0


def test_database_locked_beyond_the_busy_timeout(station_dir, monkeypatch):
    assert register(station_dir)[0] == 0
    before = codes(station_dir)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            f"c = sqlite3.connect({str(station_dir / DB)!r}, isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE')\nprint('held', flush=True)\ntime.sleep(20)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)
        assert_clear_failure(register(station_dir), "chương trình khác", "CHƯA được lưu")
    finally:
        holder.kill()
        holder.wait()
    assert codes(station_dir) == before
    assert register(station_dir)[0] == 0


def test_corrupted_database_then_restore(station_dir):
    saved = [register(station_dir) for _ in range(2)]
    assert all(s[0] == 0 for s in saved)
    status, out, _ = cli(station_dir, "backup")
    assert status == 0 and "Đã sao lưu" in out
    before = codes(station_dir)
    with open(station_dir / DB, "r+b") as handle:  # a bad sector over the header
        handle.write(os.urandom(100))
    for args in (("find", "nguyen"), ("register", "--json", "-")):
        result = cli(station_dir, *args, stdin="{}")
        assert_clear_failure(result, "bị hỏng", "counter-app restore")
    newest = backup.newest_backup(station_dir)
    status, out, err = cli(station_dir, "restore", str(newest))
    assert status == 0, err
    assert "Đã khôi phục" in out
    assert codes(station_dir) == before  # everything up to the backup is back
    kept = list((station_dir / "backups").glob("before-restore-*.damaged"))
    assert len(kept) == 1  # the damaged file is kept for a technician
    assert register(station_dir)[0] == 0


def test_restore_checks_the_file_first(station_dir, tmp_path, migrated_database):
    not_a_backup = tmp_path / "notes.sqlite3"
    not_a_backup.write_text("xin chào")
    status, _, err = cli(station_dir, "restore", str(not_a_backup))
    assert status == 2 and "không phải bản sao lưu" in err
    status, _, err = cli(station_dir, "restore", str(tmp_path / "missing.sqlite3"))
    assert status == 2 and "Không tìm thấy" in err
    other = prepare_station(tmp_path / "other", migrated_database, station=3)
    status, _, err = cli(station_dir, "restore", str(other / DB))
    assert status == 2 and "quầy số 3" in err  # another station's database: refused
    assert not list((station_dir / "backups").glob("before-restore-*"))


def test_daily_backups_rotate_and_are_private(station_dir):
    start = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    taken = 0
    for hours in range(0, 24 * 20, 6):  # four starts a day for 20 days
        made = backup.daily_backup_if_due(
            station_dir / DB, station_dir, now=start + timedelta(hours=hours)
        )
        taken += made is not None
    kept = backup.daily_backups(station_dir)
    assert taken == 20  # once a day
    assert len(kept) == backup.KEEP_DAILY
    assert kept[0].taken_at == start + timedelta(days=19)
    for info in kept:
        assert info.path.stat().st_mode & 0o777 == 0o600
        connection = sqlite3.connect(info.path)
        assert connection.execute("PRAGMA quick_check").fetchone() == ("ok",)
        connection.close()
    assert (station_dir / "backups").stat().st_mode & 0o777 == 0o700
    assert station_dir.stat().st_mode & 0o777 == 0o700
    assert (station_dir / DB).stat().st_mode & 0o777 == 0o600
    assert not list((station_dir / "backups").glob("*.partial"))


def test_start_up_takes_the_daily_backup(station_dir):
    for old in (station_dir / "backups").glob("*"):
        old.unlink()
    assert cli(station_dir, "catalog", "list")[0] == 0
    assert len(backup.daily_backups(station_dir)) == 1
    assert cli(station_dir, "catalog", "list")[0] == 0
    assert len(backup.daily_backups(station_dir)) == 1  # not again the same day
