"""Which model-signing keys this PC trusts: the project's (shipped) and those an admin chose to trust,
kept in ``<data dir>/trusted_model_keys.json`` with who trusted them, when, and whose key they said it
is. Any thread (file I/O only); a write is atomic.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from emsync_desktop.ml.registry import ModelUnavailable
from emsync_desktop.ml.signing import TrustedKeys, fingerprint, project_keys
from emsync_desktop.services.exports import write_atomically

TRUST_FILE = "trusted_model_keys.json"


def admin_trusted_keys(data_dir: Path) -> list[dict[str, str]]:
    """Keys an admin of this PC trusted: ``[{public_key, fingerprint, name, trusted_by, at}]``."""
    path = data_dir / TRUST_FILE
    if not path.exists():
        return []
    try:
        rows = json.loads(path.read_text("utf-8")).get("keys", [])
    except (OSError, ValueError, AttributeError) as exc:
        raise ModelUnavailable(f"{path} cannot be read ({exc}): restore it from backup, or delete it and trust the "
                               "model keys again in Admin → Models.") from exc
    return [dict(r) for r in rows if isinstance(r, dict) and "public_key" in r]


def trusted_keys(data_dir: Path | None) -> TrustedKeys:
    """The project's keys, and this PC's admin-trusted keys when a data dir is given."""
    extra: Iterable[dict[str, str]] = admin_trusted_keys(data_dir) if data_dir else []
    return TrustedKeys(project_keys() | {base64.b64decode(r["public_key"]) for r in extra})


def trust_key(data_dir: Path, public_key: bytes, *, name: str, trusted_by: str, at: datetime) -> None:
    """Record an admin's decision to trust ``public_key`` (named by them, e.g. the vendor). Atomic."""
    rows = [r for r in admin_trusted_keys(data_dir) if r["public_key"] != _b64(public_key)]
    rows.append({"public_key": _b64(public_key), "fingerprint": fingerprint(public_key), "name": name.strip(),
                 "trusted_by": trusted_by, "at": at.isoformat()})
    write_atomically(data_dir / TRUST_FILE, (json.dumps({"keys": rows}, indent=1) + "\n").encode("utf-8"))


def stop_trusting(data_dir: Path, key_fingerprint: str) -> bool:
    """Forget an admin-trusted key (by its fingerprint); True if it was trusted. Models signed by it are
    refused from the next time they are loaded (the next sign-in). Atomic."""
    rows = admin_trusted_keys(data_dir)
    kept = [r for r in rows if r.get("fingerprint") != key_fingerprint]
    if len(kept) == len(rows):
        return False
    write_atomically(data_dir / TRUST_FILE, (json.dumps({"keys": kept}, indent=1) + "\n").encode("utf-8"))
    return True


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
