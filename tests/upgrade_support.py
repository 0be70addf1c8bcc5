"""An earlier release's database, opened by this version: shared by tests/test_upgrade.py (the
source tree) and tests/installer/test_bundle.py (the built bundle).

The fixtures in tests/data/upgrade/ were made by the earlier releases' own code
(tests/data/upgrade/make_fixture.py), each with a manifest of what that version showed.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import unicodedata
from collections.abc import Callable
from pathlib import Path

from support import DATA

from counter_app.models.database import DB_FILENAME, SCHEMA_HEAD

UPGRADE_DATA = DATA / "upgrade"
RELEASES = sorted(path.stem for path in UPGRADE_DATA.glob("schema-*.db"))


def manifest(release: str) -> dict:
    return json.loads((UPGRADE_DATA / f"{release}.json").read_text("utf-8"))


def install_release(release: str, data_dir: Path) -> dict:
    """The data folder as that release left it: its database file, nothing else."""
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(UPGRADE_DATA / f"{release}.db", data_dir / DB_FILENAME)
    return manifest(release)


def revision_of(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        connection.close()


def fold(text: str) -> str:
    """How a clerk types a name: no diacritics, đ as d, lower case."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def check_upgraded(
    open_with_this_version: Callable[[], str], data_dir: Path, release: dict
) -> Path:
    """Open the old data folder with this version (a real process: the source tree's or the
    bundle's command line), then find every dossier as the old version showed it.
    Returns the backup taken before the upgrade."""
    from counter_app.app import open_context
    from counter_app.services.search import find_dossiers, show_dossier

    assert revision_of(data_dir / DB_FILENAME) == release["schema"] != SCHEMA_HEAD
    open_with_this_version()

    assert revision_of(data_dir / DB_FILENAME) == SCHEMA_HEAD
    backups = list((data_dir / "backups").glob(f"before-upgrade-{release['schema']}-to-*"))
    assert len(backups) == 1, list((data_dir / "backups").iterdir())
    assert backups[0].name.startswith(f"before-upgrade-{release['schema']}-to-{SCHEMA_HEAD}-")
    assert revision_of(backups[0]) == release["schema"]  # the database as it was

    ctx = open_context(data_dir)
    try:
        for expected in release["dossiers"]:
            shown = show_dossier(ctx, expected["code"])
            assert shown["applicant"]["full_name"] == expected["full_name"]
            assert shown["applicant"]["id_number"] == expected["id_number"]
            assert shown["procedure"]["code"] == expected["procedure_code"]
            assert shown["status"] == expected["status"]
            assert shown["received_at"] == expected["received_at"]
            assert shown["appointment_at"] == expected["appointment_at"]
            assert len(shown["history"]) == expected["history_steps"]
            by_name = [d["code"] for d in find_dossiers(ctx, fold(expected["full_name"]))]
            assert expected["code"] in by_name, fold(expected["full_name"])
            by_id = [d["code"] for d in find_dossiers(ctx, expected["id_number"])]
            assert by_id == [expected["code"]]
    finally:
        ctx.db.close()
    return backups[0]
