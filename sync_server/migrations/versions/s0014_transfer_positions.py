"""ambulance positions on a transfer: transfer_positions, the track each crew's device reports while its transfer
is under way (op transfer.position; the newest is published to the destination and the desks)

Revision ID: s0014positions
Revises: s0013answers
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "s0014positions"
down_revision = "s0013answers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transfer_positions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("transfer_id", sa.String(length=36), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("reported_by", sa.String(length=36), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["transfer_id"], ["transfers.id"]),
        sa.ForeignKeyConstraint(["reported_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_transfer_positions_transfer_id", "transfer_positions", ["transfer_id"])


def downgrade() -> None:
    op.drop_index("ix_transfer_positions_transfer_id", table_name="transfer_positions")
    op.drop_table("transfer_positions")
