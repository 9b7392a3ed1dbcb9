"""Seeding the demo network and accounts into a server database."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from emsync_desktop.domain.demo_plan import demo_beds
from emsync_desktop.domain.ids import demo_id
from sync_server.models import Hospital, User
from sync_server.network import import_network

_PACKAGED_NETWORK = Path(__file__).resolve().parent / "demo_network.json"  # in the emsync-server wheel
DEMO_NETWORK = _PACKAGED_NETWORK if _PACKAGED_NETWORK.exists() else \
    Path(__file__).resolve().parents[1] / "resources" / "demo_network.json"  # a source checkout
SYSTEM_USER_ID = demo_id("user", "system")
_hasher = PasswordHasher()


def seed_network(session: Session, network: dict[str, Any] | None = None, now: datetime | None = None) -> bool:
    """Hospitals and beds of a network (default: the Kochi demo, beds in its status mix), if the server has
    none. Every hospital and bed is also published to the change feed (at ``now``, default the present), so a
    client's first pull gets the network and the whole capacity picture."""
    if session.scalar(select(func.count()).select_from(Hospital)):
        return False
    network = network or json.loads(DEMO_NETWORK.read_text("utf-8"))
    statuses = {plan.id: plan.status for plan in demo_beds(network)}
    import_network(session, network, now or datetime.now(UTC), bed_status=statuses.__getitem__)
    return True


def ensure_system_user(session: Session) -> User:
    user = session.get(User, SYSTEM_USER_ID)
    if user is None:
        user = User(id=SYSTEM_USER_ID, username="system", display_name="EMsync server", role="admin",
                    hospital_id=None, ambulance_unit=None, password_hash="!")  # "!" matches no password
        session.add(user)
    return user


def add_user(session: Session, *, username: str, password: str, role: str, display_name: str = "",
             hospital_short_name: str | None = None, ambulance_unit: str | None = None) -> User:
    user = User(id=demo_id("user", username), username=username, display_name=display_name or username,
                role=role, hospital_id=demo_id("hospital", hospital_short_name) if hospital_short_name else None,
                ambulance_unit=ambulance_unit, password_hash=_hasher.hash(password))
    session.add(user)
    return user


def seed_demo_users(session: Session, credentials_file: Path) -> None:
    """Demo accounts with random passwords, written to ``credentials_file`` (demo servers only). A demo server made
    by an older version gains the accounts added since (e.g. the blood bank's), their lines added to the file."""
    existing = set(session.scalars(select(User.username)))
    network = json.loads(DEMO_NETWORK.read_text("utf-8"))
    missing = [spec for spec in network["users"] if spec["username"] not in existing]
    if not missing:
        return
    first = existing <= {"system"}
    lines = ["# EMsync DEMO server accounts. Generated at first start; demo data only.\n"] if first else []
    for spec in missing:
        password = secrets.token_urlsafe(12)
        add_user(session, username=spec["username"], password=password, role=spec["role"],
                 display_name=spec["display_name"], hospital_short_name=spec.get("hospital"),
                 ambulance_unit=spec.get("ambulance_unit"))
        lines.append(f"{spec['username']}\t{spec['role']}\t{password}\n")
    with credentials_file.open("w" if first else "a", encoding="utf-8") as out:
        out.write("".join(lines))
    credentials_file.chmod(0o600)
