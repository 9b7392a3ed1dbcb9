"""stored answers are forgotten once their device has them: device_answers (how far each device, per account,
has its answers: the highest mark, when it rose, and the latest), and an index on applied_ops to find a device's
answers

Revision ID: s0013answers
Revises: s0012feed
Create Date: 2026-12-05

Existing answers stay until their devices report how far they have them (a device of this release does with its
next push); answers of older clients, which never report, are kept.
"""

import sqlalchemy as sa
from alembic import op

revision = "s0013answers"
down_revision = "s0012feed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_answers",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("answered_through", sa.BigInteger(), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("reported_through", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "user_id"),
    )
    op.create_index("ix_applied_ops_device", "applied_ops", ["device_id", "user_id", "device_seq"])


def downgrade() -> None:
    op.drop_index("ix_applied_ops_device", table_name="applied_ops")
    op.drop_table("device_answers")
