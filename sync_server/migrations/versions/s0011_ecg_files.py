"""a 12-lead ECG's attached file: the hash a procedure entry cites (its author sends the file, whoever
the feed gave the entry may fetch it), and the feed looked up by entity

Revision ID: s0011ecg
Revises: s0010form
Create Date: 2026-12-06

Entries already on a server cite no file (the devices sent none before this).
"""

import sqlalchemy as sa
from alembic import op

revision = "s0011ecg"
down_revision = "s0010form"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("record_entries") as batch:
        batch.add_column(sa.Column("file_sha256", sa.String(length=64), nullable=True))
        batch.create_index("ix_record_entries_file_sha256", ["file_sha256"])
    op.create_index("ix_changes_entity_id", "changes", ["entity_id"])


def downgrade() -> None:
    op.drop_index("ix_changes_entity_id", table_name="changes")
    with op.batch_alter_table("record_entries") as batch:
        batch.drop_index("ix_record_entries_file_sha256")
        batch.drop_column("file_sha256")
