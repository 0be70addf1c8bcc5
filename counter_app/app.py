"""The one place that wires the application together: data folder, database, services."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # SQLAlchemy is imported when the context is opened, not with this module
    from counter_app.services.context import Context

APP_NAME = "QuayMotCua"
DATA_DIR_ENV = "COUNTER_APP_DATA_DIR"


def resources_dir() -> Path:
    """`resources/` beside the package, or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def default_data_dir() -> Path:
    explicit = os.environ.get(DATA_DIR_ENV)
    if explicit:
        return Path(explicit)
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def seed_first_run(ctx: Context) -> None:
    """The demo catalog when there is none, and the shipped calendar corrections once.

    Checked with one cheap read first: the files are parsed only when something is missing.
    """
    from sqlalchemy import exists, select

    from counter_app.models import Procedure
    from counter_app.services.context import get_setting

    resources = resources_dir()
    calendar = json.loads((resources / "calendar" / "vn-overrides.json").read_text("utf-8"))
    with ctx.db.read() as session:
        has_catalog = session.scalar(select(exists().where(Procedure.id.is_not(None))))
        calendar_seeded = get_setting(session, "calendar_seed") == calendar["version"]
    if not has_catalog:
        from counter_app.services.catalog import import_catalog

        catalog = json.loads((resources / "catalog" / "demo-catalog.json").read_text("utf-8"))
        import_catalog(ctx, catalog, source="demo", if_empty=True)
    if not calendar_seeded:
        from counter_app.services.calendar import import_calendar

        seed = calendar.pop("version")
        calendar.pop("note", None)
        import_calendar(ctx, calendar, source="resources", seed=seed)


def daily_backup(ctx: Context) -> None:
    """The day's automatic backup, when due (services.backup). A failed backup never stops the
    desk: it is said on stderr and tried again at the next start."""
    import sqlite3

    from counter_app.domain.errors import CounterError
    from counter_app.services.backup import daily_backup_if_due, storage_message

    try:
        daily_backup_if_due(ctx.db.path, ctx.data_dir)
    except (OSError, sqlite3.Error, CounterError) as error:
        message = str(error) if isinstance(error, CounterError) else storage_message(error)
        print(f"Cảnh báo: chưa sao lưu tự động được. {message}", file=sys.stderr)


def open_context(data_dir: Path | None = None, *, backup: bool = True) -> Context:
    """The database opened (schema upgraded), seeded, and the day's backup taken unless
    `backup` is False (the window takes it on a background thread: ui.launch)."""
    from counter_app.models.database import open_database
    from counter_app.services.context import Context

    data_dir = (data_dir or default_data_dir()).expanduser()
    ctx = Context(db=open_database(data_dir), data_dir=data_dir)
    seed_first_run(ctx)
    if backup:
        daily_backup(ctx)
    return ctx
