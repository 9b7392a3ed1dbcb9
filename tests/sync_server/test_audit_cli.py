"""``python -m sync_server --verify-audit`` checks the key and the anchors on file, read-only
(SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync_server.config import AUDIT_KEY_FILE
from tests.sync_server.conftest import Server
from tests.sync_server.test_audit_chain import delete_events_from, keeper, push_events

ROOT = Path(__file__).parents[2]


def verify_command(server: Server, data_dir: Path) -> tuple[int, dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if k != "EMSYNC_AUDIT_KEY"} | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "sync_server", "--data-dir", str(data_dir), "--db",
                           server.settings.db_url, "--audit-anchors", str(server.settings.audit_anchor_file),
                           "--verify-audit"], capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)
    return done.returncode, json.loads(done.stdout.splitlines()[-1])


def key_file(data_dir: Path, key: bytes) -> Path:
    data_dir.mkdir(exist_ok=True)
    (data_dir / AUDIT_KEY_FILE).write_text(key.hex())
    return data_dir


def test_verify_audit_command_catches_deleted_newest_events(server: Server, tmp_path: Path) -> None:
    data_dir = key_file(tmp_path / "cli", server.settings.chain_key())
    ids = push_events(server, 2)
    keeper(server).anchor_if_due(datetime.now(UTC), force=True)
    assert verify_command(server, data_dir)[0] == 0
    delete_events_from(server, ids[1])
    code, answer = verify_command(server, data_dir)
    assert code == 1 and answer["first_broken_id"] == ids[1] and "deleted" in answer["reason"]


def test_verify_audit_command_names_a_wrong_key(server: Server, tmp_path: Path) -> None:
    code, answer = verify_command(server, key_file(tmp_path / "cli", os.urandom(32)))
    assert code == 1 and "audit key in use" in answer["reason"]


def test_verify_audit_command_without_a_key_says_so_and_makes_none(server: Server, tmp_path: Path) -> None:
    code, answer = verify_command(server, tmp_path / "empty")
    assert code == 1 and "no audit key" in answer["reason"]
    assert not (tmp_path / "empty" / AUDIT_KEY_FILE).exists()
