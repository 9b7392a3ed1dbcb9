"""second factor: TOTP secret, replay step and challenge on users; recovery codes

Revision ID: s0005mfa
Revises: s0003
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "s0005mfa"
down_revision = "s0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("mfa_secret", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("mfa_pending_secret", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("mfa_enabled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("mfa_last_step", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("mfa_challenge_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("mfa_failures", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "mfa_recovery_codes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mfa_recovery_codes_user_id", "mfa_recovery_codes", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_mfa_recovery_codes_user_id", table_name="mfa_recovery_codes")
    op.drop_table("mfa_recovery_codes")
    with op.batch_alter_table("users") as batch_op:
        for column in ("mfa_failures", "mfa_challenge_id", "mfa_last_step", "mfa_enabled_at", "mfa_pending_secret",
                       "mfa_secret"):
            batch_op.drop_column(column)
