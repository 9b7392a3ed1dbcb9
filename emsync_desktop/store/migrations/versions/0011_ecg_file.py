"""A 12-lead ECG's attached file: its hash and size on the procedure entry, and whether it is sent.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("procedure_entries") as batch:
        batch.add_column(sa.Column("ecg_sha256", sa.String(64), nullable=True))
        batch.add_column(sa.Column("ecg_size_bytes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("blob_state", sa.String(16), nullable=True))
        batch.create_index("ix_procedure_entries_blob_state", ["blob_state"])


def downgrade() -> None:
    with op.batch_alter_table("procedure_entries") as batch:
        batch.drop_index("ix_procedure_entries_blob_state")
        batch.drop_column("blob_state")
        batch.drop_column("ecg_size_bytes")
        batch.drop_column("ecg_sha256")
