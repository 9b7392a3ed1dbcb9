"""The network comes from the server (hospital versions, closed hospitals), changes held until they apply,
the network's hourly figures (the desk's trends), and the desk's views read open transfers through an index.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05

Hospitals already here were seeded on this device (version 0); the server's copy replaces them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN: a batch would copy the table, which beds and users reference.
    op.add_column("hospitals", sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("hospitals", sa.Column("closed", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_transfers_state", "transfers", ["state"])
    op.create_index("ix_transfers_updated_at", "transfers", ["updated_at"])
    op.create_table(
        "held_changes",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("entity", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("held_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "capacity_hours",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("beds_total", sa.Integer(), nullable=False),
        sa.Column("beds_in_use", sa.Integer(), nullable=False),
        sa.Column("transfers_requested", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_capacity_hours_hour", "capacity_hours", ["hour"])


def downgrade() -> None:
    op.drop_index("ix_capacity_hours_hour", "capacity_hours")
    op.drop_table("capacity_hours")
    op.drop_table("held_changes")
    op.drop_index("ix_transfers_updated_at", "transfers")
    op.drop_index("ix_transfers_state", "transfers")
    op.drop_column("hospitals", "closed")  # SQLite >= 3.35 drops a column in place
    op.drop_column("hospitals", "version")
