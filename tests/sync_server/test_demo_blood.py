"""The demo server's blood (issue 24): stock at the demo blood bank and two open requests, written once."""

from __future__ import annotations

from datetime import UTC, datetime

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.sync.protocol_blood import BLOOD_REQUEST_ENTITY, BLOOD_UNIT_ENTITY, DONOR_ENTITY
from sync_server.demo_blood import seed_demo_blood
from tests.sync_server.blood_helpers import seen
from tests.sync_server.conftest import Server


def test_the_demo_blood_bank_has_stock_and_two_requests_once(server: Server) -> None:
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        assert seed_demo_blood(session, datetime.now(UTC))
        assert not seed_demo_blood(session, datetime.now(UTC))
    units = seen(server, "joseph", BLOOD_UNIT_ENTITY).values()
    assert len(units) > 40 and {u["hospital_id"] for u in units} == {demo_id("hospital", "Lourdes")}
    assert {u["component"] for u in units} >= {"red_cells", "plasma", "platelets"}
    assert [r["urgency"] for r in sorted(seen(server, "maria", BLOOD_REQUEST_ENTITY).values(),
                                         key=lambda r: r["urgency"])] == ["emergency", "routine"]
    assert len({u["hospital_id"] for u in seen(server, "rahul", BLOOD_UNIT_ENTITY).values()}) > 1  # others too
    assert len(seen(server, "joseph", DONOR_ENTITY)) == 14 and seen(server, "maria", DONOR_ENTITY) == {}
