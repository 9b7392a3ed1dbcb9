"""case mix: transfers' age band, sex and complaint group; case_mix_days (issue 25)

Revision ID: s0020casemix
Revises: s0019forecasts
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "s0020casemix"
down_revision = "s0019forecasts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (nullable): a batch copy of transfers on SQLite would drop a table others reference.
    op.add_column("transfers", sa.Column("age_band", sa.String(length=8), nullable=True))
    op.add_column("transfers", sa.Column("sex", sa.String(length=8), nullable=True))
    op.add_column("transfers", sa.Column("complaint_group", sa.String(length=32), nullable=True))
    op.create_table(
        "case_mix_days",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )


def downgrade() -> None:
    op.drop_table("case_mix_days")
    for column in ("complaint_group", "sex", "age_band"):  # DROP COLUMN: SQLite 3.35 or newer, as PostgreSQL
        op.drop_column("transfers", column)
