"""Child for test_crash_sync: push the queued ops, then hang before storing the answers.

Prints PUSHED once the server has answered the first batch, then blocks, so the
parent can SIGKILL it in the window between "server applied" and "client recorded".
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import emsync_desktop.sync.engine as engine_module
from emsync_desktop.domain.roles import Role
from tests.e2e.clients import make_client


def hang_after_push(*_args: Any) -> None:
    print("PUSHED", flush=True)
    threading.Event().wait()


def main(data_dir: Path, url: str, username: str, password: str) -> None:
    engine_module.store_results = hang_after_push  # type: ignore[assignment]
    client = make_client(data_dir, Role.PARAMEDIC, url, username, password)
    client.engine.run_once()


if __name__ == "__main__":
    main(Path(sys.argv[1]), *sys.argv[2:5])
