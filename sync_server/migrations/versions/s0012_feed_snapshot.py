"""the network in the feed, a bounded feed and the network's hourly figures: hospitals carry address, phone,
version and closed; feed rows say whether they are a record's newest version (older ones are compacted away) and
whether they stay in every scope whatever their age (hospitals, beds, the formulary, open transfers and their
holds); capacity_hours per unit and hour, for the desks' trends

Revision ID: s0012feed
Revises: s0011ecg
Create Date: 2026-12-05

Existing rows are marked: the newest row of each record for each audience (hospital, owner) is ``latest``;
of those, hospitals', beds', the formulary's rows are ``pinned``, and those of transfers and holds whose newest
row (for any audience) is still open (read in Python: the JSON functions differ). The hospitals already here
are published to the feed once, so devices (new or not) learn the network from it.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from emsync_desktop.domain.lifecycle import TransferState, is_terminal_transfer

revision = "s0012feed"
down_revision = "s0011ecg"
branch_labels = None
depends_on = None

_ALWAYS = ("bed", "hospital", "formulary")
_OPEN_BOOKINGS = ("TENTATIVE", "HELD")


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN: on SQLite a batch would copy the tables (beds reference hospitals).
    op.add_column("hospitals", sa.Column("address", sa.Text(), nullable=False, server_default=""))
    op.add_column("hospitals", sa.Column("phone", sa.String(length=32), nullable=False, server_default=""))
    op.add_column("hospitals", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("hospitals", sa.Column("closed", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("changes", sa.Column("latest", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("changes", sa.Column("pinned", sa.Boolean(), nullable=False, server_default=sa.false()))
    _mark_existing_rows()
    _publish_existing_hospitals()
    op.create_index("ix_changes_created_at", "changes", ["created_at"])
    op.create_index("ix_changes_pinned_seq", "changes", ["seq"], postgresql_where=sa.text("latest AND pinned"),
                    sqlite_where=sa.text("latest = 1 AND pinned = 1"))
    op.create_index("ix_changes_superseded_seq", "changes", ["seq"], postgresql_where=sa.text("NOT latest"),
                    sqlite_where=sa.text("latest = 0"))
    op.create_index("ix_transfers_created_at", "transfers", ["created_at"])
    op.create_table(
        "capacity_hours",
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("beds_total", sa.Integer(), nullable=False),
        sa.Column("beds_in_use", sa.Integer(), nullable=False),
        sa.Column("transfers_requested", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "unit"),
    )


def _mark_existing_rows() -> None:
    conn = op.get_bind()
    conn.execute(sa.text(
        "UPDATE changes SET latest = false WHERE seq < (SELECT max(c2.seq) FROM changes c2 "
        "WHERE c2.entity = changes.entity AND c2.entity_id = changes.entity_id "
        "AND coalesce(c2.hospital_id, '') = coalesce(changes.hospital_id, '') "
        "AND coalesce(c2.owner_user_id, '') = coalesce(changes.owner_user_id, ''))"))
    conn.execute(sa.text("UPDATE changes SET pinned = true WHERE latest AND entity IN ('bed', 'hospital', "
                         "'formulary')"))
    table = sa.table("changes", sa.column("seq", sa.BigInteger()), sa.column("entity", sa.String()),
                     sa.column("entity_id", sa.String()), sa.column("data", sa.JSON()),
                     sa.column("latest", sa.Boolean()), sa.column("pinned", sa.Boolean()))
    rows = conn.execute(sa.select(table.c.seq, table.c.entity, table.c.entity_id, table.c.data).where(
        table.c.latest, table.c.entity.in_(("transfer", "booking"))).order_by(table.c.seq)).all()
    newest = {entity_id: (entity, data) for _seq, entity, entity_id, data in rows}  # the last row wins
    open_seqs = [seq for seq, _entity, entity_id, _data in rows if _open(*newest[entity_id])]
    for start in range(0, len(open_seqs), 1000):
        conn.execute(sa.update(table).where(table.c.seq.in_(open_seqs[start:start + 1000])).values(pinned=True))


def _publish_existing_hospitals() -> None:
    """Every device learns the network from the feed now: the hospitals already here are published once."""
    conn = op.get_bind()
    hospitals = sa.table("hospitals", *(sa.column(name) for name in ("id", "name", "short_name", "lat", "lon",
                                                                    "address", "phone")),
                         sa.column("capabilities", sa.JSON()))
    changes = sa.table("changes", *(sa.column(name) for name in ("entity", "entity_id", "version", "hospital_id",
                                                                 "owner_user_id", "latest", "pinned")),
                       sa.column("data", sa.JSON()), sa.column("created_at", sa.DateTime()))
    now = datetime.now(UTC).replace(tzinfo=None)  # the feed's times are naive UTC
    rows = [{"entity": "hospital", "entity_id": h.id, "version": 1, "hospital_id": h.id, "owner_user_id": None,
             "latest": True, "pinned": True, "created_at": now,
             "data": {"id": h.id, "name": h.name, "short_name": h.short_name, "lat": h.lat, "lon": h.lon,
                      "address": h.address, "phone": h.phone, "capabilities": list(h.capabilities),
                      "closed": False, "version": 1}}
            for h in conn.execute(sa.select(hospitals).order_by(hospitals.c.id))]
    if rows:
        conn.execute(sa.insert(changes), rows)


def _open(entity: str, data: dict[str, str]) -> bool:
    if entity == "transfer":
        return not is_terminal_transfer(TransferState(data["state"]))
    return data["state"] in _OPEN_BOOKINGS


def downgrade() -> None:
    op.drop_table("capacity_hours")
    op.drop_index("ix_transfers_created_at", table_name="transfers")
    op.drop_index("ix_changes_superseded_seq", table_name="changes")
    op.drop_index("ix_changes_pinned_seq", table_name="changes")
    op.drop_index("ix_changes_created_at", table_name="changes")
    for column in ("pinned", "latest"):
        op.drop_column("changes", column)  # SQLite >= 3.35 drops a column in place
    for column in ("closed", "version", "phone", "address"):
        op.drop_column("hospitals", column)
