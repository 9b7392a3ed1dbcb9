"""blood donors: donors, a hospital blood bank's registry (ops donor.register, donor.donation, donor.defer;
issue 24)

Revision ID: s0017donors
Revises: s0016blood
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "s0017donors"
down_revision = "s0016blood"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "donors",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hospital_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("abo", sa.String(length=2), nullable=False),
        sa.Column("rhd_positive", sa.Boolean(), nullable=False),
        sa.Column("last_given_at", sa.DateTime(), nullable=True),
        sa.Column("last_kind", sa.String(length=24), nullable=True),
        sa.Column("deferred_until", sa.DateTime(), nullable=True),
        sa.Column("deferral_reason", sa.String(length=500), nullable=False),
        sa.Column("donations", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["hospital_id"], ["hospitals.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_donors_hospital_id", "donors", ["hospital_id"])


def downgrade() -> None:
    op.drop_index("ix_donors_hospital_id", table_name="donors")
    op.drop_table("donors")
