"""Blood bank (issue 24): blood_units and blood_requests as the feed brings them, with this device's own changes
queued; a request's patient identifiers encrypted.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blood_units",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("hospital_id", sa.String(36), nullable=False),
        sa.Column("din", sa.String(13), nullable=False),
        sa.Column("component", sa.String(16), nullable=False),
        sa.Column("abo", sa.String(2), nullable=False),
        sa.Column("rhd_positive", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("request_id", sa.String(36), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sync_state", sa.String(16), nullable=False),
        sa.Column("sync_reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_blood_units_hospital_id", "blood_units", ["hospital_id"])
    op.create_index("ix_blood_units_din", "blood_units", ["din"])
    op.create_index("ix_blood_units_request_id", "blood_units", ["request_id"])
    op.create_table(
        "blood_requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("hospital_id", sa.String(36), nullable=False),
        sa.Column("transfer_id", sa.String(36), nullable=True),
        sa.Column("requested_by", sa.String(36), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("patient_name", sa.LargeBinary(), nullable=True),
        sa.Column("patient_second_id", sa.LargeBinary(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sync_state", sa.String(16), nullable=False),
        sa.Column("sync_reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_blood_requests_hospital_id", "blood_requests", ["hospital_id"])
    op.create_index("ix_blood_requests_transfer_id", "blood_requests", ["transfer_id"])


def downgrade() -> None:
    op.drop_table("blood_requests")
    op.drop_table("blood_units")
