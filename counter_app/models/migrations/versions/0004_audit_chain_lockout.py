"""audit log hash chain; clerk sign-in lockout

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from counter_app.domain.audit_chain import GENESIS, row_digest

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_UPDATE = """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only');
    END"""


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("row_hash", sa.String(length=64), nullable=True))
    op.add_column(
        "clerks",
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("clerks", sa.Column("locked_until", sa.String(length=32), nullable=True))
    # Chain the rows written so far (the append-only trigger is lifted for this one pass).
    bind = op.get_bind()
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    prev = GENESIS
    rows = bind.exec_driver_sql(
        "SELECT id, at, clerk_id, action, entity, entity_id, details FROM audit_log ORDER BY id"
    ).fetchall()
    for id_, at, clerk_id, action, entity, entity_id, details in rows:
        digest = row_digest(
            id=id_,
            at=at,
            clerk_id=clerk_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            details=json.loads(details) if details is not None else None,
            prev_hash=prev,
        )
        bind.exec_driver_sql(
            "UPDATE audit_log SET prev_hash = ?, row_hash = ? WHERE id = ?", (prev, digest, id_)
        )
        prev = digest
    op.execute(NO_UPDATE)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
    op.execute(NO_UPDATE)
    with op.batch_alter_table("clerks", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_sign_ins")
