"""A sync loop never dies: an error nobody expected is reported, and the loop tries again and recovers."""

from __future__ import annotations

import threading

from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.sync.engine import Backoff, SyncEngine, SyncStatus
from emsync_desktop.sync.protocol import PullResponse
from tests.sync.test_engine_pipeline import FakeHttp


class BrokenOnce(FakeHttp):
    def pull(self, _token: str, since: int, limit: int, snapshot: bool = False) -> PullResponse:
        if not self.pulled_since:
            self.pulled_since.append(since)
            raise ValueError("a bug nobody foresaw")
        return super().pull(_token, since, limit, snapshot)


def test_an_unexpected_error_is_reported_and_the_loop_recovers(app_context: AppContext, runner: DbRunner) -> None:
    statuses: list[SyncStatus] = []
    recovered = threading.Event()

    def on_status(status: SyncStatus) -> None:
        statuses.append(status)
        if status.online:
            recovered.set()

    engine = SyncEngine(app_context.store, BrokenOnce(), app_context.install.device_id,  # type: ignore[arg-type]
                        ("asha", "-"), db_submit=runner.submit, on_status=on_status, poll_s=30)
    engine.backoff = Backoff(base_s=0.01, cap_s=0.02)
    engine.start()
    try:
        assert recovered.wait(10)
    finally:
        engine.stop()
    assert statuses[0].error is not None and "a bug nobody foresaw" in statuses[0].error and not statuses[0].online
