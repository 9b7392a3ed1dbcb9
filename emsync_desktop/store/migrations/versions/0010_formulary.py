"""The service's formulary: the versions an admin published, as the pull brings them (the newest is in force).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"  # vitals carried forward (0009_vitals_carried.py), merged from main
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "formularies",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("drugs", sa.Text(), nullable=False),
        sa.Column("published_by", sa.String(36), nullable=False),
        sa.Column("published_by_name", sa.String(128), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_formularies_version", "formularies", ["version"])


def downgrade() -> None:
    op.drop_index("ix_formularies_version", table_name="formularies")
    op.drop_table("formularies")
