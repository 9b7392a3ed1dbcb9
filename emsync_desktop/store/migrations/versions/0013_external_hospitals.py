"""Hospitals of neighbouring regions, imported from their EDXL-HAVE reports (read-only, never synced).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_hospitals",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("ref", sa.String(128), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("ed_status", sa.String(16), nullable=False),
        sa.Column("beds", sa.Text(), nullable=False),
        sa.Column("last_update", sa.DateTime(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_external_hospitals_source", "external_hospitals", ["source"])


def downgrade() -> None:
    op.drop_index("ix_external_hospitals_source", "external_hospitals")
    op.drop_table("external_hospitals")
