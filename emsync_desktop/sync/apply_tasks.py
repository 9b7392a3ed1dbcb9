"""Applying a ward's task rows on a device (issue 26): the server's task replaces this device's copy when newer (or
when the device's own op on it has been answered since). ``apply`` calls this per change, inside its page's
transaction."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy import Table

from emsync_desktop.store.models_tasks import WardTaskRecord
from emsync_desktop.sync.apply_blood import replace_record, utc_from_text
from emsync_desktop.sync.protocol import Change
from emsync_desktop.sync.protocol_tasks import WARD_TASK_ENTITY

if TYPE_CHECKING:
    from emsync_desktop.sync.apply import _Page

TASK_TABLES: dict[str, Table] = {WARD_TASK_ENTITY: WardTaskRecord.__table__}  # type: ignore[dict-item]


def apply_task(page: _Page, change: Change) -> bool:
    d = change.data
    values = {"hospital_id": d["hospital_id"], "state": d["state"], "priority": d["priority"],
              "due_at": utc_from_text(d["due_at"]) if d.get("due_at") else None,
              "created_at": utc_from_text(d["created_at"]), "data": json.dumps(d)}
    return replace_record(page, WARD_TASK_ENTITY, change, values)
