"""Free beds a batch of ops locks ahead for its holds: one statement for the whole batch instead of one
per hold (``first_free_bed``).

Contract: ``load`` runs inside the batch's transaction and locks what it reads (PostgreSQL: ``FOR UPDATE
SKIP LOCKED``, as ``first_free_bed``; SQLite: the writer holds the database lock). Every bed status the
batch writes must be reported to ``changed``, so a bed is offered only while it is free. ``first`` gives
the bed ``first_free_bed`` would give (lowest label), or None when the unit has none, or ``ASK`` when the
pool cannot tell (the unit was not loaded, or more holds came than were loaded for): ask the database.
Beds locked ahead and not taken are unlocked when the batch's transaction ends (a few ms on PostgreSQL,
during which another server process skips them).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy.engine import Connection

from sync_server.rows import Row, free_beds_in

Unit = tuple[str, str]  # (hospital id, unit)
ASK: Final = "ask the database"


class BedPool:
    def __init__(self) -> None:
        self._free: dict[Unit, list[Row]] = {}  # free beds not yet taken, lowest label first
        self._complete: set[Unit] = set()  # units whose every free bed is in ``_free``

    def load(self, conn: Connection, wanted: Mapping[Unit, int]) -> None:
        """Lock and keep up to ``n`` free beds of each unit -> n not loaded yet."""
        missing = {unit: n for unit, n in wanted.items() if unit not in self._free and n > 0}
        for unit in missing:
            self._free[unit] = []
        for row in free_beds_in(conn, missing):
            self._free[(row["hospital_id"], row["unit"])].append(row)
        for unit, n in missing.items():
            self._free[unit].sort(key=_label)
            if len(self._free[unit]) < n:
                self._complete.add(unit)

    def first(self, hospital_id: str, unit: str) -> Row | str | None:
        """The free bed with the lowest label, None if there is none, or ``ASK``."""
        beds = self._free.get((hospital_id, unit))
        if beds:
            return beds[0]
        return None if (hospital_id, unit) in self._complete else ASK

    def changed(self, bed: Mapping[str, Any]) -> None:
        """``bed`` (as it is now) was written: taken beds leave the pool; a bed freed joins a unit known whole."""
        unit = (bed["hospital_id"], bed["unit"])
        beds = self._free.get(unit)
        if beds is None:
            return
        beds[:] = [b for b in beds if b["id"] != bed["id"]]
        if bed["status"] == "available" and unit in self._complete:
            bisect.insort(beds, bed, key=_label)

    def clear(self) -> None:
        """Forget everything (a savepoint was rolled back): later holds ask the database."""
        self._free.clear()
        self._complete.clear()


def _label(bed: Mapping[str, Any]) -> str:
    return str(bed["label"])
