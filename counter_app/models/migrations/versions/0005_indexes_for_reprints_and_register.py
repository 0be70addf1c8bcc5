"""indexes for the reprint count and the register line

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

With a million dossiers (docs/benchmarks.md, "Desk"): printing Form 01 counts earlier prints of
the dossier in the audit log (entity, entity_id, action) and the dossier's line in the station's
register book (station, receipt day, number). Without these indexes both read a whole table or
a year of it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id", "action"])
    op.create_index(
        "ix_dossiers_station_day_number",
        "dossiers",
        ["station_number", "receipt_day", "sequence_number"],
    )


def downgrade() -> None:
    op.drop_index("ix_dossiers_station_day_number", table_name="dossiers")
    op.drop_index("ix_audit_log_entity", table_name="audit_log")
