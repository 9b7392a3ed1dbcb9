"""blood bank: blood_requests (components asked for a patient) and blood_units (bags on a hospital's shelves and
where each went), ops blood.* (issue 24)

Revision ID: s0016blood
Revises: s0015messages
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "s0016blood"
down_revision = "s0015messages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blood_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hospital_id", sa.String(length=36), nullable=False),
        sa.Column("transfer_id", sa.String(length=36), nullable=True),
        sa.Column("requested_by", sa.String(length=36), nullable=False),
        sa.Column("patient_name", sa.String(length=120), nullable=False),
        sa.Column("patient_second_id", sa.String(length=64), nullable=False),
        sa.Column("abo", sa.String(length=2), nullable=True),
        sa.Column("rhd_positive", sa.Boolean(), nullable=True),
        sa.Column("childbearing", sa.Boolean(), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("mtp", sa.Boolean(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["hospital_id"], ["hospitals.id"]),
        sa.ForeignKeyConstraint(["transfer_id"], ["transfers.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_blood_requests_hospital_id", "blood_requests", ["hospital_id"])
    op.create_index("ix_blood_requests_transfer_id", "blood_requests", ["transfer_id"])
    op.create_table(
        "blood_units",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hospital_id", sa.String(length=36), nullable=False),
        sa.Column("din", sa.String(length=13), nullable=False),
        sa.Column("product_code", sa.String(length=16), nullable=False),
        sa.Column("component", sa.String(length=16), nullable=False),
        sa.Column("abo", sa.String(length=2), nullable=False),
        sa.Column("rhd_positive", sa.Boolean(), nullable=False),
        sa.Column("volume_ml", sa.Integer(), nullable=False),
        sa.Column("collected_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("location", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["hospital_id"], ["hospitals.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["blood_requests.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("din", "product_code"),
    )
    op.create_index("ix_blood_units_shelf", "blood_units", ["hospital_id", "component", "state", "expires_at"])
    op.create_index("ix_blood_units_request_id", "blood_units", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_blood_units_request_id", table_name="blood_units")
    op.drop_index("ix_blood_units_shelf", table_name="blood_units")
    op.drop_table("blood_units")
    op.drop_index("ix_blood_requests_transfer_id", table_name="blood_requests")
    op.drop_index("ix_blood_requests_hospital_id", table_name="blood_requests")
    op.drop_table("blood_requests")
