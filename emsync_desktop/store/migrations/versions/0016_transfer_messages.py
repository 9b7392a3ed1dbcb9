"""Messages on a transfer (issue 29): transfer_messages, the thread between the crew, the ward and the desk as the
feed brings it, with this device's own messages queued; message_marks, what each person on this device read or
acknowledged before the server's marks came back; message_drafts, lines typed and not sent yet.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transfer_messages",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("transfer_id", sa.String(36), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("sender_id", sa.String(36), nullable=False),
        sa.Column("sender_name", sa.String(128), nullable=False),
        sa.Column("sender_side", sa.String(8), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("reads", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sync_state", sa.String(16), nullable=False),
        sa.Column("sync_reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_transfer_messages_transfer_id", "transfer_messages", ["transfer_id"])
    op.create_table(
        "message_marks",
        sa.Column("message_id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
    )


    op.create_table(
        "message_drafts",
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("transfer_id", sa.String(36), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("message_drafts")
    op.drop_table("message_marks")
    op.drop_index("ix_transfer_messages_transfer_id", table_name="transfer_messages")
    op.drop_table("transfer_messages")
