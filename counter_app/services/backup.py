"""Backups of the station's database, and what a clerk reads when the storage fails.

- Automatic: at start-up, when the newest daily backup is older than a day, a copy is taken
  (SQLite's online backup API: consistent while the database is in use), checked with
  `PRAGMA quick_check`, then published under its final name (write to a temporary name, fsync,
  rename: a power cut never leaves a half-written backup). The newest `KEEP_DAILY` are kept.
- `counter-app backup [--out FILE]`: the same, by hand (never rotated away).
- `counter-app restore FILE`: the file is checked first (an SQLite database of this
  application, intact, of this unit and station, not newer than the software); the current
  database is kept as `backups/before-restore-*.sqlite3`; then the backup is copied in with the
  backup API (other connections see the new content, none sees half of it).
- Before every schema upgrade: `models.database.upgrade_schema` (unchanged).

The data folder and the backups are readable by their owner only (0700/0600).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from counter_app.domain.errors import CounterError, InvalidInput, NotAllowed

BACKUP_DIRNAME = "backups"
DAILY_PREFIX = "daily-"
KEEP_DAILY = 14
DAILY_INTERVAL = timedelta(days=1)
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


class StorageError(CounterError):
    """The disk, the folder or the database file failed; the message says what to do."""


def _stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")


def _parse_stamp(name: str) -> datetime | None:
    core = name.removeprefix(DAILY_PREFIX).removesuffix(".sqlite3")
    try:
        return datetime.strptime(core, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def make_private(path: Path) -> None:
    """0700 for a folder, 0600 for a file (best effort: a folder on a share may refuse)."""
    with contextlib.suppress(OSError):
        os.chmod(path, PRIVATE_DIR if path.is_dir() else PRIVATE_FILE)


def backup_dir(data_dir: Path) -> Path:
    folder = data_dir / BACKUP_DIRNAME
    folder.mkdir(parents=True, exist_ok=True)
    make_private(folder)
    return folder


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def copy_database(source: Path, target: Path) -> Path:
    """A checked, durable, private copy of a live database at `target` (all or nothing)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.close(fd)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)
                check = dst.execute("PRAGMA quick_check").fetchall()
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        if check != [("ok",)]:
            raise StorageError(
                "Bản sao lưu vừa tạo không đọc lại được (cơ sở dữ liệu có thể đã hỏng): "
                f"{check[0][0]}. Đừng xóa các bản sao lưu cũ; hãy gọi cán bộ kỹ thuật."
            )
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
        _fsync_dir(target.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    make_private(target)
    return target


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    size: int


def daily_backups(data_dir: Path) -> list[BackupInfo]:
    """The automatic backups, newest first."""
    folder = data_dir / BACKUP_DIRNAME
    found = []
    for path in folder.glob(f"{DAILY_PREFIX}*.sqlite3") if folder.is_dir() else []:
        taken = _parse_stamp(path.name)
        if taken is not None:
            found.append(BackupInfo(path, taken, path.stat().st_size))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def newest_backup(data_dir: Path) -> Path | None:
    """The newest backup of any kind (for the message after a corruption)."""
    folder = data_dir / BACKUP_DIRNAME
    if not folder.is_dir():
        return None
    candidates = [p for p in folder.glob("*.sqlite3") if p.is_file()]
    return max(candidates, key=lambda p: p.stat().st_mtime, default=None)


def daily_backup_if_due(
    database_path: Path, data_dir: Path, *, now: datetime | None = None, keep: int = KEEP_DAILY
) -> Path | None:
    """Take the day's backup when the newest is older than a day; keep the newest `keep`."""
    now = now or datetime.now(UTC)
    existing = daily_backups(data_dir)
    if existing and now - existing[0].taken_at < DAILY_INTERVAL:
        return None
    if not database_path.exists():
        return None
    folder = backup_dir(data_dir)
    for stale in folder.glob("*.partial"):  # left by a power cut in the middle of a copy
        stale.unlink(missing_ok=True)
    target = folder / f"{DAILY_PREFIX}{_stamp(now)}.sqlite3"
    copy_database(database_path, target)
    for old in daily_backups(data_dir)[keep:]:
        old.path.unlink(missing_ok=True)
    return target


def backup_now(database_path: Path, data_dir: Path, out: Path | None = None) -> Path:
    """`counter-app backup`: a manual backup (not rotated), or to `out` (a USB drive...)."""
    if out is None:
        out = backup_dir(data_dir) / f"manual-{_stamp()}.sqlite3"
    elif out.is_dir():
        out = out / f"quay-mot-cua-{_stamp()}.sqlite3"
    if out.exists():
        raise InvalidInput(f"Tệp «{out}» đã có; chọn tên khác để không ghi đè.", field="out")
    return copy_database(database_path, out)


# -- restore ----------------------------------------------------------------------------------


def _identity(connection: sqlite3.Connection) -> tuple[str | None, int | None]:
    unit = connection.execute("SELECT code FROM units ORDER BY id LIMIT 1").fetchone()
    station = connection.execute("SELECT number FROM stations ORDER BY id LIMIT 1").fetchone()
    return (unit[0] if unit else None, station[0] if station else None)


def check_backup_file(path: Path) -> dict:
    """What a backup holds, or InvalidInput saying why it cannot be restored."""
    from counter_app.models.database import SCHEMA_HEAD

    if not path.is_file():
        raise InvalidInput(f"Không tìm thấy tệp sao lưu «{path}».", field="file")
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise InvalidInput(
                f"Tệp «{path.name}» không phải bản sao lưu cơ sở dữ liệu của Quầy Một Cửa.",
                field="file",
            )
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            check = connection.execute("PRAGMA integrity_check").fetchall()
            if check != [("ok",)]:
                raise InvalidInput(
                    f"Tệp sao lưu «{path.name}» bị hỏng ({check[0][0]}); hãy chọn bản khác.",
                    field="file",
                )
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            dossiers = connection.execute("SELECT count(*) FROM dossiers").fetchone()[0]
            unit, station = _identity(connection)
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise InvalidInput(
            f"Tệp «{path.name}» không phải bản sao lưu dùng được của Quầy Một Cửa ({error}).",
            field="file",
        ) from None
    if revision is None or revision[0] > SCHEMA_HEAD:
        raise InvalidInput(
            f"Tệp «{path.name}» được tạo bởi phiên bản phần mềm mới hơn; hãy nâng cấp phần mềm "
            "trước khi khôi phục.",
            field="file",
        )
    return {"revision": revision[0], "dossiers": dossiers, "unit": unit, "station": station}


def restore_backup(database_path: Path, data_dir: Path, backup: Path) -> dict:
    """Replace the station's database by a checked backup; the current one is kept first."""
    info = check_backup_file(backup)
    kept = backup_dir(data_dir) / f"before-restore-{_stamp()}.sqlite3"
    if database_path.exists():
        current_ok = True
        try:
            connection = sqlite3.connect(f"file:{database_path}?mode=ro", uri=True)
            try:
                current = _identity(connection)
            finally:
                connection.close()
        except sqlite3.DatabaseError:
            current_ok, current = False, (None, None)
        if current_ok and None not in current and current != (info["unit"], info["station"]):
            raise NotAllowed(
                f"Bản sao lưu là của đơn vị {info['unit']}, quầy số {info['station']}; máy này "
                f"là đơn vị {current[0]}, quầy số {current[1]}. Không khôi phục để tránh trùng "
                "mã hồ sơ."
            )
        if current_ok:
            try:
                copy_database(database_path, kept)
            except (sqlite3.DatabaseError, StorageError):
                current_ok = False
        if not current_ok:
            # A damaged database is kept byte for byte (with its WAL) for a technician.
            kept = kept.with_name(kept.name.replace(".sqlite3", ".damaged"))
            for suffix in ("", "-wal"):
                source = Path(f"{database_path}{suffix}")
                if source.exists():
                    shutil.copyfile(source, Path(f"{kept}{suffix}"))
                    make_private(Path(f"{kept}{suffix}"))
            _discard(database_path)
    else:
        kept = None
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(database_path, timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    make_private(database_path)
    return info | {"kept": kept}


def _discard(database_path: Path) -> None:
    """Move a damaged database (and its WAL/SHM) out of the way; SQLite cannot open it."""
    for suffix in ("-wal", "-shm", ""):
        Path(f"{database_path}{suffix}").unlink(missing_ok=True)


# -- what a clerk reads -----------------------------------------------------------------------


def _nearly_full(data_dir: Path | None) -> bool:
    if data_dir is None:
        return False
    try:
        return shutil.disk_usage(data_dir).free < 4 * 1024 * 1024
    except OSError:
        return False


def storage_message(error: BaseException, data_dir: Path | None = None) -> str:
    """A Vietnamese sentence for a storage failure: what happened, that nothing saved is lost,
    and what to do."""
    original = getattr(error, "orig", None) or error
    code = getattr(original, "sqlite_errorname", "") or ""
    text = str(original).lower()
    where = f" ({data_dir})" if data_dir else ""
    if (
        code == "SQLITE_FULL"
        or "disk is full" in text
        or getattr(error, "errno", 0) == 28
        or (
            # A real full disk reaches SQLite as a failed write of its WAL (SQLITE_IOERR_*).
            (code.startswith("SQLITE_IOERR") or "disk i/o error" in text) and _nearly_full(data_dir)
        )
    ):
        return (
            f"Ổ đĩa chứa dữ liệu{where} đã đầy: thao tác vừa rồi CHƯA được lưu, dữ liệu đã lưu "
            "trước đó vẫn an toàn. Hãy giải phóng chỗ trống trên ổ đĩa rồi làm lại."
        )
    if (
        code.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM"))
        or any(word in text for word in ("readonly", "read-only", "unable to open"))
        or getattr(error, "errno", 0) in (13, 30)
    ):
        return (
            f"Không ghi được vào thư mục dữ liệu{where} (chỉ đọc hoặc không có quyền ghi): thao "
            "tác vừa rồi CHƯA được lưu. Hãy kiểm tra ổ đĩa, quyền của thư mục, hoặc gọi cán bộ "
            "kỹ thuật."
        )
    if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return (
            "Cơ sở dữ liệu đang bị một chương trình khác giữ quá lâu: thao tác vừa rồi CHƯA được "
            "lưu. Hãy đóng các cửa sổ Quầy Một Cửa khác (hoặc chương trình đang mở tệp dữ liệu) "
            "rồi làm lại."
        )
    if (
        code in ("SQLITE_CORRUPT", "SQLITE_NOTADB")
        or "malformed" in text
        or ("not a database" in text)
    ):
        newest = newest_backup(data_dir) if data_dir else None
        hint = (
            f"Khôi phục bản sao lưu mới nhất: «counter-app restore {newest}»"
            if newest
            else "Gọi cán bộ kỹ thuật; đừng xóa tệp dữ liệu"
        )
        return (
            f"Tệp cơ sở dữ liệu{where} bị hỏng, không đọc được. {hint} (tệp hỏng sẽ được giữ "
            "lại một bản trong thư mục sao lưu), sau đó đồng bộ để lấy lại các hồ sơ đã gửi "
            "lên máy chủ tỉnh."
        )
    if code.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return (
            f"Lỗi đọc/ghi ổ đĩa chứa dữ liệu{where}: thao tác vừa rồi CHƯA được lưu, dữ liệu "
            "đã lưu trước đó vẫn an toàn. Kiểm tra ổ đĩa (cáp, USB, chỗ trống) rồi làm lại."
        )
    return (
        f"Lỗi lưu trữ, thao tác vừa rồi CHƯA được lưu: {original}. Kiểm tra ổ đĩa và thư mục "
        f"dữ liệu{where}."
    )
