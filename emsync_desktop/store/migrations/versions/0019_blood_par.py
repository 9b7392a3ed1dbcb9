"""Blood par levels (issue 24): blood_par, each blood bank's par levels as the feed brings them.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blood_par",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("levels", sa.Text(), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sync_state", sa.String(16), nullable=False),
        sa.Column("sync_reason", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("blood_par")
