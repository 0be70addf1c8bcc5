"""Migrations 0002 (attachments, sync conflicts) and 0003 (an attachment's document row)
upgrade a 0001 database, keeping its data."""

import json
import sqlite3

from support import DATA, registration


def test_upgrade_from_0001_keeps_dossiers_and_takes_a_backup(tmp_path, clock):
    from counter_app.app import open_context
    from counter_app.models.database import DB_FILENAME, SCHEMA_HEAD, Database
    from counter_app.models.migrations import run_upgrade
    from counter_app.services.catalog import import_catalog
    from counter_app.services.office import setup_office
    from counter_app.services.registration import register_dossier

    old = Database(tmp_path / DB_FILENAME)
    run_upgrade(old.engine.execution_options(immediate=True), "0001")
    old.close()
    connection = sqlite3.connect(tmp_path / DB_FILENAME)
    assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    connection.execute("INSERT INTO settings VALUES ('server_url', '\"https://x.example\"')")
    connection.commit()
    connection.close()

    ctx = open_context(tmp_path)  # upgrades to head, backup first
    ctx.clock = clock
    setup_office(ctx, unit_code="000.00.12.H49", unit_name="UBND xã Tân Lập")
    import_catalog(ctx, json.loads((DATA / "catalog.json").read_text("utf-8")))
    dossier = register_dossier(ctx, registration())
    ctx.db.close()
    backups = list((tmp_path / "backups").glob(f"before-upgrade-0001-to-{SCHEMA_HEAD}-*.sqlite3"))
    assert len(backups) == 1
    connection = sqlite3.connect(tmp_path / DB_FILENAME)
    tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    assert {"attachments", "sync_conflicts"} <= tables
    columns = {r[1] for r in connection.execute("PRAGMA table_info(attachments)")}
    assert "document_position" in columns
    assert connection.execute("SELECT code FROM dossiers").fetchone() == (dossier["code"],)
    kept = connection.execute("SELECT value FROM settings WHERE key='server_url'").fetchone()
    assert kept == ('"https://x.example"',)
    connection.close()
