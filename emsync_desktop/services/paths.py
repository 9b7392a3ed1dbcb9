"""Where local data lives."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
RESOURCES_DIR = REPO_ROOT / "resources"


def default_data_dir() -> Path:
    """``$EMSYNC_DATA_DIR`` if set, else the per-user data dir of the OS."""
    override = os.environ.get("EMSYNC_DATA_DIR")
    return Path(override) if override else Path(user_data_dir("EMsync", "EMsync"))
