"""Blood donors (issue 24): donors, this blood bank's registry as the feed brings it, name and phone encrypted.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "donors",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("hospital_id", sa.String(36), nullable=False),
        sa.Column("name", sa.LargeBinary(), nullable=True),
        sa.Column("phone", sa.LargeBinary(), nullable=True),
        sa.Column("abo", sa.String(2), nullable=False),
        sa.Column("rhd_positive", sa.Boolean(), nullable=False),
        sa.Column("last_given_at", sa.DateTime(), nullable=True),
        sa.Column("deferred_until", sa.DateTime(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sync_state", sa.String(16), nullable=False),
        sa.Column("sync_reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_donors_hospital_id", "donors", ["hospital_id"])


def downgrade() -> None:
    op.drop_table("donors")
