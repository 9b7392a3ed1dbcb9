"""The case record: timeline stamps, medications given, procedures done, SAMPLE history (append-only).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _sync_columns() -> list[sa.Column[str]]:
    return [sa.Column("sync_state", sa.String(16), nullable=False), sa.Column("sync_reason", sa.Text(), nullable=True)]


def upgrade() -> None:
    op.create_table(
        "timeline_stamps",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("encounter_id", sa.String(36), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(36), nullable=False),
        sa.Column("recorded_by_name", sa.String(128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("replaces", sa.String(36), nullable=True),
        sa.Column("edited_from", sa.DateTime(), nullable=True),
        *_sync_columns(),
    )
    op.create_index("ix_timeline_stamps_encounter_step", "timeline_stamps", ["encounter_id", "step"])
    op.create_table(
        "medication_entries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("encounter_id", sa.String(36), nullable=False),
        sa.Column("drug", sa.String(128), nullable=False),
        sa.Column("free_text", sa.Boolean(), nullable=False),
        sa.Column("dose_value", sa.Float(), nullable=False),
        sa.Column("dose_unit", sa.String(16), nullable=False),
        sa.Column("route", sa.String(32), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.Column("given_by", sa.String(36), nullable=False),
        sa.Column("given_by_name", sa.String(128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("warnings", sa.Text(), nullable=False),
        *_sync_columns(),
    )
    op.create_index("ix_medication_entries_encounter_id", "medication_entries", ["encounter_id"])
    op.create_table(
        "procedure_entries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("encounter_id", sa.String(36), nullable=False),
        sa.Column("procedure", sa.String(32), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=False),
        sa.Column("done_by", sa.String(36), nullable=False),
        sa.Column("done_by_name", sa.String(128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("extras", sa.Text(), nullable=False),
        *_sync_columns(),
    )
    op.create_index("ix_procedure_entries_encounter_id", "procedure_entries", ["encounter_id"])
    op.create_table(
        "history_entries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("encounter_id", sa.String(36), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(36), nullable=False),
        sa.Column("recorded_by_name", sa.String(128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        *_sync_columns(),
    )
    op.create_index("ix_history_entries_encounter_recorded", "history_entries", ["encounter_id", "recorded_at"])


def downgrade() -> None:
    op.drop_table("history_entries")
    op.drop_table("procedure_entries")
    op.drop_table("medication_entries")
    op.drop_table("timeline_stamps")
