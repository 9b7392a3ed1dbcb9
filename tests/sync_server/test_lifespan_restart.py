"""An app's lifespan may be entered more than once (a test client, then a fuzzer's client): on both
databases the second start must work, and leadership must come back."""

from __future__ import annotations

import os
import time
from pathlib import Path

from fastapi.testclient import TestClient

from sync_server.app import create_app
from sync_server.config import Settings


def _leads_within(app: object, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not app.state.leadership.is_leader:  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_app_starts_again_after_a_shutdown_and_leads_again(db_url: str, tmp_path: Path) -> None:
    app = create_app(Settings(db_url=db_url, secret=os.urandom(32), blob_dir=tmp_path / "blobs"))
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
        assert _leads_within(app, timeout_s=30)
