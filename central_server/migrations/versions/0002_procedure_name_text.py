"""procedure names of any length the catalog allows (1.013831 has 569 characters)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column(
        "dossiers", "procedure_name", type_=sa.Text(), existing_type=sa.String(length=500)
    )


def downgrade() -> None:
    op.alter_column(
        "dossiers", "procedure_name", type_=sa.String(length=500), existing_type=sa.Text()
    )
