import sqlite3

from sqlalchemy import text

from counter_app.models import database
from counter_app.models.database import current_revision, open_database


def test_pragmas_are_durable(tmp_path):
    db = open_database(tmp_path)
    with db.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 10_000
    db.close()


def test_schema_head_constant_matches_the_migrations():
    from counter_app.models.migrations import head_revision

    assert head_revision() == database.SCHEMA_HEAD


def test_migrations_build_the_same_schema_as_the_models(tmp_path):
    """Alembic's autogenerate finds nothing to add: models and migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from counter_app.models import Base

    db = open_database(tmp_path)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_object": lambda o, n, t, r, c: not n.startswith("dossier_search")},
        )
        assert compare_metadata(context, Base.metadata) == []
    db.close()


def test_upgrade_takes_a_backup_first(tmp_path, monkeypatch):
    db = open_database(tmp_path)
    with db.write() as session:
        session.execute(text("INSERT INTO settings VALUES ('marker', '1')"))
    db.close()
    upgraded = []
    head = database.SCHEMA_HEAD
    monkeypatch.setattr(database, "SCHEMA_HEAD", "next")
    monkeypatch.setattr(
        "counter_app.models.migrations.run_upgrade", lambda engine: upgraded.append(engine)
    )
    db = database.Database(tmp_path / database.DB_FILENAME)
    backup = database.upgrade_schema(db, tmp_path / "backups")
    assert upgraded
    assert backup is not None and backup.name.startswith(f"before-upgrade-{head}-to-next-")
    copy = sqlite3.connect(backup)
    assert copy.execute("SELECT value FROM settings WHERE key='marker'").fetchone() == ("1",)
    assert current_revision(backup) == head
    copy.close()
    db.close()


def test_a_new_database_gets_no_backup(tmp_path):
    db = database.Database(tmp_path / database.DB_FILENAME)
    assert database.upgrade_schema(db, tmp_path / "backups") is None
    assert not (tmp_path / "backups").exists()
    assert current_revision(db.path) == database.SCHEMA_HEAD
    db.close()
