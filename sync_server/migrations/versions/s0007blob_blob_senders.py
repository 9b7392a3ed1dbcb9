"""who sent which radiograph file (upload needs the sender's own study; per-account quota; a study holds
its file only if its author sent it)

Revision ID: s0007blob
Revises: s0005mfa
Create Date: 2026-12-08

Files already on a server: the author of the earliest study citing each hash is taken to have sent it
(before this, any account could send any file, so nothing better is known); an upload interrupted across
the upgrade starts again from its first byte.
"""

import sqlalchemy as sa
from alembic import op

revision = "s0007blob"
down_revision = "s0005mfa"
branch_labels = None
depends_on = None


def upgrade() -> None:
    senders = op.create_table(
        "blob_senders",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("held_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("sha256", "user_id"),
    )
    op.create_index("ix_blob_senders_user_id", "blob_senders", ["user_id"])
    studies = sa.table("imaging_studies", sa.column("sha256", sa.String()), sa.column("author_id", sa.String()),
                       sa.column("data", sa.JSON()), sa.column("created_at", sa.DateTime()))
    earliest: dict[str, dict[str, object]] = {}
    rows = op.get_bind().execute(sa.select(studies).order_by(studies.c.created_at, studies.c.sha256))
    for row in rows.mappings():
        size = (row["data"] or {}).get("size_bytes")
        if row["sha256"] not in earliest and isinstance(size, int):
            earliest[row["sha256"]] = {"sha256": row["sha256"], "user_id": row["author_id"], "size_bytes": size,
                                       "started_at": row["created_at"], "held_at": row["created_at"]}
    if earliest:
        op.bulk_insert(senders, list(earliest.values()))


def downgrade() -> None:
    op.drop_table("blob_senders")
