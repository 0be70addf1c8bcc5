"""index on the status events by status reached and time

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

The statistics (services.reports) find the period's events that reached a status (result
ready, returned, stopped, withdrawn...) by their time. Without an index that pass reads the
whole `status_events` table: several seconds with a million dossiers. With it, a range read;
`dossier_id` in the index answers the queries from the index alone.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_status_events_to_status_at", "status_events", ["to_status", "at", "dossier_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_status_events_to_status_at", table_name="status_events")
