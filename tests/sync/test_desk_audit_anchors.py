"""A coordinator or admin desk keeps the newest audit anchors it is sent, never replaces one it holds,
and keeps a contradiction (the server signing an event it holds an anchor for with another hash) as a warning."""

from __future__ import annotations

from datetime import UTC, datetime

from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.sync.audit_anchors import KEEP, anchor_warning, held_anchors, keep_anchors
from emsync_desktop.sync.engine import SyncEngine
from emsync_desktop.sync.http import RequestRefused
from emsync_desktop.sync.protocol import AuditAnchor
from tests.sync.test_engine_pipeline import FakeHttp


def anchor(seq: int, mac: str = "a") -> AuditAnchor:
    return AuditAnchor(seq=seq, mac=mac * 64, at=datetime(2026, 12, 1, tzinfo=UTC), sig="5" * 64)


def test_desk_keeps_the_newest_anchors(app_context: AppContext) -> None:
    keep_anchors(app_context.store, [anchor(seq) for seq in range(1, KEEP + 6)])
    held = held_anchors(app_context.store)
    assert [a.seq for a in held] == list(range(6, KEEP + 6)) and anchor_warning(app_context.store) is None


def test_held_anchor_is_never_replaced_and_a_contradiction_is_kept(app_context: AppContext) -> None:
    keep_anchors(app_context.store, [anchor(7, "a")])
    warning = keep_anchors(app_context.store, [anchor(7, "b"), anchor(9, "c")])
    assert [(a.seq, a.mac[0]) for a in held_anchors(app_context.store)] == [(7, "a"), (9, "c")]
    assert warning is not None and "rewritten" in warning and anchor_warning(app_context.store) == warning


class OlderServer(FakeHttp):
    """A server from before audit anchors: ``/audit/anchors`` is not there."""

    def audit_anchors(self, _token: str) -> list[AuditAnchor]:
        raise RequestRefused("HTTP 404: Not Found")


def test_desk_syncs_with_a_server_that_has_no_anchors(app_context: AppContext) -> None:
    runner = DbRunner()
    try:
        engine = SyncEngine(app_context.store, OlderServer(), app_context.install.device_id,  # type: ignore[arg-type]
                            ("rahul", "-"), db_submit=runner.submit, keep_audit_anchors=True)
        assert engine.run_once() and held_anchors(app_context.store) == []
    finally:
        runner.shutdown()
