"""the service's formulary: versions an admin published (the newest is in force on every device)

Revision ID: s0010form
Revises: s0009rec
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "s0010form"
down_revision = "s0009rec"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "formularies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("drugs", sa.JSON(), nullable=False),
        sa.Column("published_by", sa.String(length=36), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["published_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version"),
    )


def downgrade() -> None:
    op.drop_table("formularies")
