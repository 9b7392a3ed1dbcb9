"""Imaging studies: radiographs analysed here or pulled with a transfer (files kept by sha256).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imaging_studies",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("transfer_id", sa.String(36), nullable=True),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("source_name", sa.String(256), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("modality", sa.String(16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("model_name", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("probabilities", sa.Text(), nullable=False),
        sa.Column("heat_map_class", sa.String(64), nullable=False),
        sa.Column("heat_map", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("demonstration", sa.Boolean(), nullable=False),
        sa.Column("sync_state", sa.String(16), nullable=False),
        sa.Column("sync_reason", sa.Text(), nullable=True),
        sa.Column("blob_state", sa.String(16), nullable=False),
    )
    op.create_index("ix_imaging_studies_blob_state", "imaging_studies", ["blob_state"])
    op.create_index("ix_imaging_studies_transfer_id", "imaging_studies", ["transfer_id"])
    op.create_index("ix_imaging_studies_source_sha256", "imaging_studies", ["source_sha256"])
    op.create_index("ix_imaging_studies_created_at", "imaging_studies", ["created_at"])


def downgrade() -> None:
    op.drop_table("imaging_studies")
