"""A hospital's blood shelves for the op handlers (issue 24): the units a request may take, locked, and what the
feed carries of units and requests.

Locking: on PostgreSQL the units taken are selected ``FOR UPDATE SKIP LOCKED`` (another transaction allocating
at this moment is about to take the ones it locked: this one takes the next, so two requests never get the same
unit and neither waits); SQLite writers are serialized already (BEGIN IMMEDIATE). Nothing here commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, bindparam, select, tuple_
from sqlalchemy.engine import Connection

from emsync_desktop.domain.blood import BloodGroup, Component
from emsync_desktop.sync.protocol_blood import BLOOD_REQUEST_ENTITY, BLOOD_UNIT_ENTITY
from sync_server.db import is_sqlite
from sync_server.models_blood import BloodRequest, BloodUnit
from sync_server.op_context import OpContext
from sync_server.rows import Row

BLOOD_UNITS: Table = BloodUnit.__table__  # type: ignore[assignment]
BLOOD_REQUESTS: Table = BloodRequest.__table__  # type: ignore[assignment]
_tier_queries: dict[tuple[str, int, bool], Select[Any]] = {}


def take_from_shelf(conn: Connection, *, hospital_id: str, component: Component, groups: tuple[BloodGroup, ...],
                    n: int, now: datetime, lock: bool = True) -> list[Row]:
    """Up to ``n`` available, unexpired units of ``component`` in any of ``groups`` at the hospital, the first to
    expire first, locked for this transaction (see the module's note); ``lock`` False: only to see whether there
    are any (a refusal's hint), so no other allocation skips them."""
    statement = _tier_query(len(groups), lock and not is_sqlite(conn))
    params: dict[str, Any] = {"hospital_id": hospital_id, "component": component.value, "now": now, "n": n}
    for i, group in enumerate(groups):
        params[f"abo_{i}"], params[f"rhd_{i}"] = group.abo.value, group.rhd_positive
    return list(conn.execute(statement, params).mappings())


def _tier_query(n_groups: int, postgresql: bool) -> Select[Any]:
    key = ("tier", n_groups, postgresql)
    if key not in _tier_queries:
        u = BLOOD_UNITS.c
        groups = [tuple_(bindparam(f"abo_{i}"), bindparam(f"rhd_{i}")) for i in range(n_groups)]
        query = (select(BLOOD_UNITS).where(u.hospital_id == bindparam("hospital_id"),
                                           u.component == bindparam("component"), u.state == "available",
                                           u.expires_at > bindparam("now", type_=u.expires_at.type),
                                           tuple_(u.abo, u.rhd_positive).in_(groups))
                 .order_by(u.expires_at, u.id).limit(bindparam("n")))
        _tier_queries[key] = query.with_for_update(skip_locked=True, of=BLOOD_UNITS) if postgresql else query
    return _tier_queries[key]


def unit_data(u: Row) -> dict[str, Any]:
    return {"id": u["id"], "hospital_id": u["hospital_id"], "din": u["din"], "product_code": u["product_code"],
            "component": u["component"], "abo": u["abo"], "rhd_positive": bool(u["rhd_positive"]),
            "volume_ml": u["volume_ml"], "collected_at": u["collected_at"].isoformat(),
            "expires_at": u["expires_at"].isoformat(), "location": u["location"], "state": u["state"],
            "request_id": u["request_id"], "history": u["history"], "version": u["version"],
            "updated_at": u["updated_at"].isoformat()}


def request_data(r: Row) -> dict[str, Any]:
    return {"id": r["id"], "hospital_id": r["hospital_id"], "transfer_id": r["transfer_id"],
            "requested_by": r["requested_by"], "patient_name": r["patient_name"],
            "patient_second_id": r["patient_second_id"], "abo": r["abo"], "rhd_positive": r["rhd_positive"],
            "childbearing": bool(r["childbearing"]), "urgency": r["urgency"], "mtp": bool(r["mtp"]),
            "counts": r["counts"], "reason": r["reason"], "state": r["state"], "units": r["units"],
            "created_at": r["created_at"].isoformat(), "updated_at": r["updated_at"].isoformat(),
            "history": r["history"], "version": r["version"]}


def publish_unit(ctx: OpContext, u: Row) -> None:
    ctx.publish(BLOOD_UNIT_ENTITY, unit_data(u), hospital_id=u["hospital_id"], owner_user_id=None)


def publish_request(ctx: OpContext, r: Row) -> None:
    """To the hospital's staff and the desks, and to whoever asked (a crew's pre-alert)."""
    ctx.publish(BLOOD_REQUEST_ENTITY, request_data(r), hospital_id=r["hospital_id"],
                owner_user_id=r["requested_by"])


def history_entry(ctx: OpContext, state: str, reason: str = "", at: datetime | None = None) -> dict[str, Any]:
    return {"at": (at or ctx.now).isoformat(), "by": ctx.user.display_name, "by_id": ctx.user.id, "state": state,
            "reason": reason}
