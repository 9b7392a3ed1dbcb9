"""transfers looked up by encounter (a case has at most one active transfer)

Revision ID: s0003
Revises: s0002
Create Date: 2026-12-04
"""

from alembic import op

revision = "s0003"
down_revision = "s0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_transfers_encounter_id", "transfers", ["encounter_id"])


def downgrade() -> None:
    op.drop_index("ix_transfers_encounter_id", table_name="transfers")
