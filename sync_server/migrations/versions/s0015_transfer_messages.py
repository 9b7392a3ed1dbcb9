"""messages on a transfer: transfer_messages, the thread between its crew, the receiving ward and the desk, each
message with its read marks (ops message.send and message.read)

Revision ID: s0015messages
Revises: s0014positions
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "s0015messages"
down_revision = "s0014positions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transfer_messages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("transfer_id", sa.String(length=36), nullable=False),
        sa.Column("sender_id", sa.String(length=36), nullable=False),
        sa.Column("sender_role", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("quick_reply", sa.String(length=32), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("reads", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["transfer_id"], ["transfers.id"]),
        sa.ForeignKeyConstraint(["sender_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_transfer_messages_transfer_id", "transfer_messages", ["transfer_id"])


def downgrade() -> None:
    op.drop_index("ix_transfer_messages_transfer_id", table_name="transfer_messages")
    op.drop_table("transfer_messages")
