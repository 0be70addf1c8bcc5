"""Opening the local database: SQLite pragmas, sessions, and the schema upgrade on start.

Durability first: WAL with `synchronous=FULL` (a registration that reported success survives a
power cut), foreign keys on, and a generous busy timeout so that two processes of one station
wait for each other instead of failing. Write transactions start with `BEGIN IMMEDIATE`, which
takes the write lock before anything is read: a dossier number read inside such a transaction
cannot be taken by another process before this one commits.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from counter_app.schema_version import SCHEMA_HEAD  # the newest revision: see schema_version

DB_FILENAME = "counter.sqlite3"
BUSY_TIMEOUT_MS = 30_000


def _on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _on_begin) instead of pysqlite's implicit one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _on_begin(connection) -> None:
    if connection.get_execution_options().get("immediate"):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def create_sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


class Database:
    """The station's database file and its two kinds of transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.engine = create_sqlite_engine(path)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(immediate=True), expire_on_commit=False
        )

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One use case, one durable transaction: committed whole or not at all."""
        with self._write() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def current_revision(path: Path) -> str | None:
    """The schema revision of a database file, or None for a new or empty file."""
    if not path.exists():
        return None
    connection = sqlite3.connect(path)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        connection.close()
    return row[0] if row else None


def backup_copy(path: Path, target: Path) -> Path:
    """A consistent copy of a live database (SQLite's online backup API)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(path)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    return target


def upgrade_schema(database: Database, backup_dir: Path) -> Path | None:
    """Bring the schema to SCHEMA_HEAD; returns the backup taken first, if any."""
    revision = current_revision(database.path)
    if revision == SCHEMA_HEAD:
        return None
    backup = None
    if revision is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        name = f"before-upgrade-{revision}-to-{SCHEMA_HEAD}-{stamp}.sqlite3"
        backup = backup_copy(database.path, backup_dir / name)
    from counter_app.models.migrations import run_upgrade  # Alembic only when needed

    run_upgrade(database.engine.execution_options(immediate=True))
    return backup


def _make_private(data_dir: Path, path: Path) -> None:
    """Personal data (Decree 13/2023): the folder 0700, the database and its WAL 0600.

    The file is created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the
    database file's permissions. Best effort: a folder on a network share may refuse chmod.
    """
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for target, mode in ((data_dir, 0o700), (path, 0o600)):
        try:
            if target.stat().st_mode & 0o777 != mode:
                os.chmod(target, mode)
        except OSError:
            pass


def open_database(data_dir: Path) -> Database:
    """Open (creating if needed) the station's database and upgrade its schema."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    _make_private(data_dir, data_dir / DB_FILENAME)
    database = Database(data_dir / DB_FILENAME)
    upgrade_schema(database, data_dir / "backups")
    return database
