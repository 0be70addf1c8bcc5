"""Security on the counter: roles enforced in the services, lockout after repeated failed
sign-ins, the hash-chained audit log (`counter-app audit verify`), a private data folder."""

import io
import json
import sqlite3
from contextlib import redirect_stderr, redirect_stdout
from datetime import timedelta

import pytest
from security.conftest import PASSWORDS
from support import DATA, registration

from counter_app.cli import main
from counter_app.domain.errors import InvalidInput, NotAllowed
from counter_app.services import clerks
from counter_app.services.audit import verify_chain
from counter_app.services.calendar import import_calendar
from counter_app.services.catalog import import_catalog
from counter_app.services.printing import print_register_book
from counter_app.services.registration import register_dossier
from counter_app.services.settings import load_settings, save_settings


def cli(ctx, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["--data-dir", str(ctx.data_dir), *args])
    return status, out.getvalue(), err.getvalue()


# -- roles --------------------------------------------------------------------------------


def test_roles_gate_imports_exports_settings_and_accounts(ctx, staff, tmp_path):
    catalog = json.loads((DATA / "catalog.json").read_text("utf-8"))
    calendar = {"days_off": ["2026-12-31"], "working_days": []}
    day = ctx.now().date()
    register_dossier(ctx, registration(), clerk="lan.nt")
    refused = [
        lambda: import_catalog(ctx, catalog, clerk="lan.nt"),
        lambda: import_calendar(ctx, calendar, clerk="lan.nt"),
        lambda: print_register_book(ctx, day, day, clerk="lan.nt"),
        lambda: save_settings(ctx, load_settings(ctx), acting=staff["lan.nt"]),
        lambda: save_settings(ctx, load_settings(ctx), acting=staff["giamsat"]),
        lambda: clerks.create_clerk(
            ctx, username="moi", full_name="Mới", password="abcdef12", acting=staff["giamsat"]
        ),
        lambda: clerks.unlock_clerk(ctx, "lan.nt", acting=staff["giamsat"]),
    ]
    for action in refused:
        with pytest.raises(NotAllowed) as refusal:
            action()
        assert "trở lên" in str(refusal.value) or "quản trị viên" in str(refusal.value)
    # A supervisor may import and export; the administrator may do everything.
    assert import_catalog(ctx, catalog, clerk="giamsat") is not None
    assert import_calendar(ctx, calendar, clerk="giamsat") is not None
    assert print_register_book(ctx, day, day, clerk="giamsat").pdf
    save_settings(ctx, load_settings(ctx), acting=staff["admin"])
    # The command line names the acting clerk with --clerk, with the same rules.
    status, _, err = cli(ctx, "--clerk", "lan.nt", "backup")
    assert status == 2 and "lãnh đạo bộ phận" in err
    status, _, err = cli(ctx, "--clerk", "lan.nt", "register-book", "--from", str(day), "--to",
                         str(day), "--out", str(tmp_path / "so.pdf"))  # fmt: skip
    assert status == 2 and "dữ liệu cá nhân" in err and not (tmp_path / "so.pdf").exists()
    assert cli(ctx, "--clerk", "giamsat", "backup")[0] == 0


# -- lockout ------------------------------------------------------------------------------


def test_lockout_after_five_failures_then_time_or_an_administrator(ctx, staff):
    for _ in range(clerks.MAX_FAILED_SIGN_INS - 1):
        with pytest.raises(InvalidInput):
            clerks.sign_in(ctx, "lan.nt", "sai-mat-khau")
    clerks.sign_in(ctx, "lan.nt", PASSWORDS["lan.nt"])  # a success resets the count
    for _ in range(clerks.MAX_FAILED_SIGN_INS - 1):
        with pytest.raises(InvalidInput):
            clerks.sign_in(ctx, "lan.nt", "sai-mat-khau")
    with pytest.raises(NotAllowed):  # the fifth failure says the account is now locked
        clerks.sign_in(ctx, "lan.nt", "sai-mat-khau")
    with pytest.raises(NotAllowed) as locked:
        clerks.sign_in(ctx, "lan.nt", PASSWORDS["lan.nt"])  # right password, still locked
    assert "tạm khóa đến" in str(locked.value) and "quản trị viên mở khóa" in str(locked.value)
    ctx.clock.now += timedelta(minutes=clerks.LOCK_MINUTES - 1)
    with pytest.raises(NotAllowed):
        clerks.sign_in(ctx, "lan.nt", PASSWORDS["lan.nt"])
    ctx.clock.now += timedelta(minutes=2)
    assert clerks.sign_in(ctx, "lan.nt", PASSWORDS["lan.nt"]).username == "lan.nt"
    # Locked again; the administrator unlocks at once.
    for _ in range(clerks.MAX_FAILED_SIGN_INS):
        with pytest.raises((InvalidInput, NotAllowed)):
            clerks.sign_in(ctx, "lan.nt", "sai-mat-khau")
    with pytest.raises(NotAllowed):
        clerks.sign_in(ctx, "lan.nt", PASSWORDS["lan.nt"])
    clerks.unlock_clerk(ctx, "lan.nt", acting=staff["admin"])
    assert clerks.sign_in(ctx, "lan.nt", PASSWORDS["lan.nt"]).username == "lan.nt"
    # Every attempt is in the audit log, and the log is intact.
    with ctx.db.read() as session:
        actions = [r[0] for r in session.execute(
            __import__("sqlalchemy").text("SELECT action FROM audit_log WHERE entity_id='lan.nt'")
        )]  # fmt: skip
    assert actions.count("clerk.locked") == 2 and "clerk.unlock" in actions
    assert verify_chain(ctx).ok


# -- audit chain --------------------------------------------------------------------------


def _tamper(ctx, *statements: str) -> None:
    """What someone with sqlite3 and the file could do: lift the triggers, change rows."""
    connection = sqlite3.connect(ctx.db.path)
    connection.execute("DROP TRIGGER audit_log_no_update")
    connection.execute("DROP TRIGGER audit_log_no_delete")
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()


def _rows(ctx) -> list[tuple]:
    connection = sqlite3.connect(ctx.db.path)
    rows = connection.execute("SELECT id, action FROM audit_log ORDER BY id").fetchall()
    connection.close()
    return rows


@pytest.mark.parametrize("edit", ["update", "delete", "insert", "rehash_one"])
def test_audit_verify_names_the_first_row_edited_outside(ctx, staff, edit):
    for _ in range(3):
        register_dossier(ctx, registration(), clerk="lan.nt")
    status, out, _ = cli(ctx, "audit", "verify")
    assert status == 0 and "nguyên vẹn" in out
    rows = _rows(ctx)
    target = rows[len(rows) // 2][0]
    if edit == "update":  # someone changes who did it
        _tamper(ctx, f"UPDATE audit_log SET clerk_id = ifnull(clerk_id, 0)+1 WHERE id={target}")
    elif edit == "delete":
        _tamper(ctx, f"DELETE FROM audit_log WHERE id = {target}")
    elif edit == "insert":
        _tamper(ctx, f"UPDATE audit_log SET id = id + 1000 WHERE id >= {target}",
                f"INSERT INTO audit_log (id, at, action, entity, entity_id, details) VALUES "
                f"({target}, '2026-11-26T01:00:00.000000+00:00', 'dossier.receive', "
                "'dossier', 'X', '{}')")  # fmt: skip
    else:  # edits the row and recomputes its own hash: the next row no longer links
        from counter_app.domain.audit_chain import row_digest

        connection = sqlite3.connect(ctx.db.path)
        row = connection.execute(
            "SELECT id, at, clerk_id, action, entity, entity_id, details, prev_hash "
            f"FROM audit_log WHERE id = {target}"
        ).fetchone()
        connection.close()
        digest = row_digest(
            id=row[0],
            at=row[1],
            clerk_id=row[2],
            action="x",
            entity=row[4],
            entity_id=row[5],
            details=json.loads(row[6]),
            prev_hash=row[7],
        )
        _tamper(ctx, f"UPDATE audit_log SET action='x', row_hash='{digest}' WHERE id={target}")
    status, _, err = cli(ctx, "audit", "verify")
    assert status == 1
    expected = target + 1 if edit in ("delete", "rehash_one") else target
    assert f"dòng số {expected} " in err, err
    assert "sửa ngoài phần mềm" in err


def test_migration_chains_the_rows_written_before(tmp_path):
    from counter_app.app import open_context
    from counter_app.models.database import DB_FILENAME, Database
    from counter_app.models.migrations import run_upgrade

    old = Database(tmp_path / DB_FILENAME)
    run_upgrade(old.engine.execution_options(immediate=True), "0003")
    old.close()
    connection = sqlite3.connect(tmp_path / DB_FILENAME)
    for n in range(5):
        connection.execute(
            "INSERT INTO audit_log (at, action, entity, entity_id, details) VALUES "
            f"('2026-11-2{n}T01:00:00.000000+00:00', 'dossier.receive', 'dossier', 'C{n}', "
            """'{"n": %d, "tên": "Đức"}')""" % n
        )
    connection.commit()
    connection.close()
    ctx = open_context(tmp_path)
    try:
        check = verify_chain(ctx)
        assert check.ok and check.rows >= 5
    finally:
        ctx.db.close()


def test_data_folder_is_private(ctx):
    assert ctx.data_dir.stat().st_mode & 0o777 == 0o700
    assert ctx.db.path.stat().st_mode & 0o777 == 0o600
    for backup in (ctx.data_dir / "backups").glob("*.sqlite3"):
        assert backup.stat().st_mode & 0o777 == 0o600
