"""Card intake (issue 27): the case's ID type, address, insurer and policy number (encrypted like its other PII), the
earlier case of the same patient it is linked to, and card_images (kept only when asked, encrypted).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_PII = ("id_type", "address", "insurer", "policy_number")


def upgrade() -> None:
    with op.batch_alter_table("encounters") as batch:
        for name in _PII:
            batch.add_column(sa.Column(name, sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("linked_case_id", sa.String(36), nullable=True))
    op.create_table(
        "card_images",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("encounter_id", sa.String(36), sa.ForeignKey("encounters.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("width_px", sa.Integer(), nullable=False),
        sa.Column("height_px", sa.Integer(), nullable=False),
        sa.Column("image_jpeg_b64", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_card_images_encounter_id", "card_images", ["encounter_id"])


def downgrade() -> None:
    op.drop_index("ix_card_images_encounter_id", table_name="card_images")
    op.drop_table("card_images")
    with op.batch_alter_table("encounters") as batch:
        batch.drop_column("linked_case_id")
        for name in _PII:
            batch.drop_column(name)
