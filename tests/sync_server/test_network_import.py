"""The network is server data: an import adds, changes and closes hospitals and beds, and publishes each change
so devices follow; a bad file changes nothing and says what to do."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from emsync_desktop.domain.ids import demo_id
from sync_server.__main__ import main
from sync_server.models import Bed, Hospital
from sync_server.network import import_network
from tests.sync_server.conftest import NETWORK, Server
from tests.sync_server.test_feed_bounded import pull_all


def reimport(server: Server, network: dict[str, Any]) -> Any:
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        return import_network(session, network, datetime.now(UTC))


def test_renaming_and_closing_hospitals_reaches_devices(server: Server) -> None:
    network = copy.deepcopy(NETWORK)
    network["hospitals"][0]["name"] = "Lourdes Hospital, Ernakulam"
    del network["hospitals"][2]
    result = reimport(server, network)
    assert (result.hospitals_changed, result.hospitals_closed) == (["Lourdes"], ["Rajagiri"])
    hospitals = {c["entity_id"]: c for c in pull_all(server, "asha") if c["entity"] == "hospital"}
    assert hospitals[demo_id("hospital", "Lourdes")]["data"]["name"] == "Lourdes Hospital, Ernakulam"
    assert hospitals[demo_id("hospital", "Rajagiri")]["data"]["closed"] is True


def test_the_same_file_twice_changes_nothing(server: Server) -> None:
    result = reimport(server, NETWORK)
    assert result.describe() == "0 hospitals added, 0 changed, 0 closed; 0 beds added, 0 taken out of service"


def test_a_smaller_unit_takes_its_free_extra_beds_out_of_service(server: Server) -> None:
    network = copy.deepcopy(NETWORK)
    network["hospitals"][0]["units"] = {"ICU": 1, "WARD": 3}
    assert reimport(server, network).beds_retired == 1
    with server.client.app.state.sessions() as session:  # type: ignore[attr-defined]
        statuses = session.scalars(select(Bed.status).where(Bed.label == "ICU-02",
                                                            Bed.hospital_id == demo_id("hospital", "Lourdes")))
        assert list(statuses) == ["out_of_service"]


def test_the_command_imports_a_file_and_refuses_a_broken_one(tmp_path: Path, capsys: Any) -> None:
    good, broken = tmp_path / "network.json", tmp_path / "broken.json"
    good.write_text(json.dumps(NETWORK), "utf-8")
    broken.write_text(json.dumps({"hospitals": [{"short_name": "X"}]}), "utf-8")
    assert main(["network-import", str(good), "--data-dir", str(tmp_path)]) == 0
    assert main(["network-import", str(broken), "--data-dir", str(tmp_path)]) == 1
    assert "nothing changed" in capsys.readouterr().err
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    with Session(create_engine(f"sqlite:///{tmp_path / 'server.db'}")) as session:
        assert len(session.scalars(select(Hospital)).all()) == 3
