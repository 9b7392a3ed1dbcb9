"""Every test gets a fresh data dir and never touches the OS keyring or real user data."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")  # Chromium refuses root otherwise
os.environ["EMSYNC_KEYRING"] = "off"


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("EMSYNC_DATA_DIR", str(data_dir))
    monkeypatch.setenv("EMSYNC_KEYRING", "off")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("EMSYNC_TILE_URL", raising=False)  # tests never fetch map tiles from outside
    monkeypatch.delenv("OPENROUTESERVICE_API_KEY", raising=False)
    return data_dir


@pytest.fixture
def app_context(isolated_data_dir: Path) -> Iterator[object]:
    from emsync_desktop.services.bootstrap import open_app

    context = open_app(isolated_data_dir, lambda _request: None, demo=True)
    yield context
    context.close()


@pytest.fixture
def pg_url() -> str:
    """PostgreSQL URL for tests that need it. CI sets EMSYNC_REQUIRE_PG=1: then a missing URL fails."""
    url = os.environ.get("EMSYNC_TEST_PG_URL")
    if not url:
        if os.environ.get("EMSYNC_REQUIRE_PG") == "1":
            pytest.fail("EMSYNC_REQUIRE_PG=1 but EMSYNC_TEST_PG_URL is not set")
        pytest.skip("EMSYNC_TEST_PG_URL not set (CI sets it)")
    return url


@pytest.fixture
def models_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped models, safe to damage."""
    import shutil

    from emsync_desktop.ml.registry import default_models_dir

    target = tmp_path / "models"
    shutil.copytree(default_models_dir(), target)
    return target


@pytest.fixture
def kochi_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times read in Kochi: IST, UTC+05:30 (stored times stay UTC; 02:12 UTC is 07:42 there)."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
