"""Vitals carried forward: which values of a set were copied from the set before, not measured again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vitals") as batch:
        batch.add_column(sa.Column("carried", sa.Text(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("vitals") as batch:
        batch.drop_column("carried")
