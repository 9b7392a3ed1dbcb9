"""``formulary.publish``: an admin publishes the service's formulary; every device gets it by the pull.

Checked here with the domain's ``parse_formulary`` (the same rules the admin's desk checked before sending):
a refusal names every problem, so the admin fixes the file in one pass. Stored normalised (what
``formulary_to_data`` writes back), numbered 1, 2, ... in publishing order, and published to every role
(``feed._scope``): the newest version is in force on every device. docs/decisions.md says why this is an
op and not an admin route.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text

from emsync_desktop.domain.formulary_parse import FormularyError, formulary_to_data, parse_formulary
from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import FORMULARY_ENTITY, FormularyPublishPayload, Op
from sync_server.db import is_sqlite
from sync_server.op_context import OpContext, Refused, require
from sync_server.rows import FORMULARIES, Row

FORMULARY_LOCK_KEY = 0x464F524D554C  # "FORMUL": numbering versions, one server process at a time
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_NEWEST = select(func.max(FORMULARIES.c.version))


def publish(ctx: OpContext, op: Op, p: FormularyPublishPayload) -> int:
    """Every check first, then the one write: a refusal has nothing to undo. Answers the new version."""
    require(ctx, {Role.ADMIN}, "publish a formulary")
    label = " ".join(p.label.split())
    if not label:
        raise Refused("Give the formulary a name, e.g. the service, the month and who reviewed it.")
    try:
        drugs = formulary_to_data(parse_formulary(p.drugs))
    except FormularyError as error:
        raise Refused(refusal_text(error.problems)) from None
    if ctx.get(FORMULARIES, op.entity_id) is not None:
        raise Refused("This formulary was published already.", status="conflict")
    version = _next_version(ctx)
    row = {"id": op.entity_id, "version": version, "label": label, "drugs": drugs, "published_by": ctx.user.id,
           "published_at": ctx.now}
    ctx.insert(FORMULARIES, row)
    ctx.publish(FORMULARY_ENTITY, formulary_data(row, ctx.user.display_name), hospital_id=None,
                owner_user_id=ctx.user.id)
    return version


def refusal_text(problems: tuple[str, ...]) -> str:
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return f"The formulary was not published ({count} to fix):\n" + "\n".join(f"- {p}" for p in problems)


def _next_version(ctx: OpContext) -> int:
    """One more than the newest. On PostgreSQL under a transaction lock, so two server processes cannot
    give two formularies one number (SQLite writers are serial already)."""
    if not is_sqlite(ctx.conn):
        ctx.conn.execute(_LOCK, {"key": FORMULARY_LOCK_KEY})
    return int(ctx.conn.execute(_NEWEST).scalar() or 0) + 1


def formulary_data(row: Row, published_by_name: str) -> dict[str, Any]:
    """What the feed carries: the whole formulary, its version, name, and who published it when."""
    return {"id": row["id"], "version": row["version"], "label": row["label"], "drugs": row["drugs"],
            "published_by": row["published_by"], "published_by_name": published_by_name,
            "published_at": row["published_at"].isoformat()}
