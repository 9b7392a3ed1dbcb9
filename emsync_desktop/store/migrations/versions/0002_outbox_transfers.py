"""Outbox and the synced records: transfers, bed bookings, SBAR handoffs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("device_seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("op_id", sa.String(36), nullable=False, unique=True),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("hlc", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_outbox_entity_id", "outbox", ["entity_id"])
    op.create_index("ix_outbox_state", "outbox", ["state"])
    op.create_table(
        "transfers",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("encounter_id", sa.String(36), nullable=False),
        sa.Column("requested_by", sa.String(36), nullable=False),
        sa.Column("destination_hospital_id", sa.String(36), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("eta_s", sa.Integer(), nullable=True),
        sa.Column("severity", sa.String(16), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("history", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("sync_state", sa.String(16), nullable=False),
        sa.Column("sync_reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_transfers_encounter_id", "transfers", ["encounter_id"])
    op.create_index("ix_transfers_destination_hospital_id", "transfers", ["destination_hospital_id"])
    op.create_table(
        "bookings",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("transfer_id", sa.String(36), nullable=False),
        sa.Column("hospital_id", sa.String(36), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("bed_id", sa.String(36), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("hold_expires_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("sync_state", sa.String(16), nullable=False),
        sa.Column("sync_reason", sa.Text(), nullable=True),
        sa.Column("alternatives", sa.Text(), nullable=False),
    )
    op.create_index("ix_bookings_transfer_id", "bookings", ["transfer_id"])
    op.create_table(
        "handoffs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("transfer_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sections", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sync_state", sa.String(16), nullable=False),
        sa.Column("sync_reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_handoffs_transfer_id", "handoffs", ["transfer_id"])


def downgrade() -> None:
    for table in ("handoffs", "bookings", "transfers", "outbox"):
        op.drop_table(table)
