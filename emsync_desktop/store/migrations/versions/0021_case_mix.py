"""Case mix (issue 25): case_mix_days, each day's transfers by age band, sex, complaint group and severity as the
feed brings them (desks only).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_mix_days",
        sa.Column("id", sa.String(10), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("case_mix_days")
