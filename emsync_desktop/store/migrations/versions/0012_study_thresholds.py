"""An imaging study keeps the thresholds its findings were read against (multi-label models) and which
method made its heat map, so a study looks the same on every PC and after the model is replaced.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("imaging_studies") as batch:
        batch.add_column(sa.Column("thresholds", sa.Text(), nullable=True))
        batch.add_column(sa.Column("heat_map_method", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("imaging_studies") as batch:
        batch.drop_column("heat_map_method")
        batch.drop_column("thresholds")
