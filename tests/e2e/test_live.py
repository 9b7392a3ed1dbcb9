"""A change on one client reaches another online client through the live channel.

The nurse's engine polls only every 60 s here, so seeing the transfer within the
deadline proves the WebSocket nudge delivered it. The latency itself is measured
in tests/bench (target p95 < 1 s), not asserted here.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.live import LiveChannel
from tests.e2e.clients import make_client
from tests.e2e.server_process import ServerProcess


@pytest.mark.slow
def test_nurse_sees_new_transfer_through_live_channel(tmp_path: Path, server: ServerProcess) -> None:
    creds = server.credentials()
    paramedic = make_client(tmp_path / "ambulance", Role.PARAMEDIC, server.url, "asha", creds["asha"])
    # no polling to fall back on within the deadline: only the live channel can deliver
    nurse = make_client(tmp_path / "ward", Role.NURSE, server.url, "maria", creds["maria"], poll_s=60.0)
    assert nurse.engine.run_once()
    nurse.engine.start()
    listener = LiveChannel(server.url, lambda: nurse.engine.token, lambda _cursor: nurse.engine.nudge())
    listener.start()
    try:
        assert listener.connected.wait(10)
        transfer_id = paramedic.open_case_and_send("Stroke symptoms, onset 30 min")
        sent = time.monotonic()
        assert paramedic.engine.run_once()
        deadline = sent + 20  # far below the 60 s poll
        while transfer_id not in {t.id for t in nurse.transfers()} and time.monotonic() < deadline:
            time.sleep(0.01)
        seen = transfer_id in {t.id for t in nurse.transfers()}
    finally:
        listener.stop()
        nurse.close()
        paramedic.close()
    assert seen
