"""The service's formulary on the server (issue 19): only an admin publishes it, it is checked with the
domain's parse_formulary (every problem named in the refusal), numbered, and the feed gives it to every
role. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from emsync_desktop.domain.formulary_defaults import DEFAULT_FORMULARY
from emsync_desktop.domain.formulary_parse import formulary_to_data
from emsync_desktop.domain.ids import new_id
from sync_server.app import create_app
from sync_server.seed import add_user
from tests.sync_server.conftest import Server, op

LABEL = "Kochi EMS formulary 2026-11, reviewed by Dr X"


def drugs(aspirin_max_mg: float = 300.0) -> list[dict[str, Any]]:
    data = copy.deepcopy(formulary_to_data(DEFAULT_FORMULARY))
    aspirin = next(d for d in data if d["key"] == "aspirin")
    aspirin["limits"][0]["adult_max_single"] = aspirin_max_mg
    return data


def publish(entity_id: str | None = None, label: str = LABEL, data: list[Any] | None = None) -> dict[str, Any]:
    return op("formulary.publish", entity_id or new_id(), {"label": label, "drugs": drugs() if data is None else data})


@pytest.fixture
def admin(server: Server) -> str:
    password = secrets.token_urlsafe(10)
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        add_user(session, username="deepa", password=password, role="admin", display_name="Deepa Varghese")
    server.passwords["deepa"] = password
    return "deepa"


def formularies_seen_by(server: Server, user: str) -> list[dict[str, Any]]:
    return [c for c in server.pull(user)["changes"] if c["entity"] == "formulary"]


def test_admin_publishes_and_gets_version_one_then_two(server: Server, admin: str) -> None:
    first, second = server.push(admin, publish(), publish(data=drugs(150.0)))
    assert (first["status"], first["version"]) == ("applied", 1)
    assert (second["status"], second["version"]) == ("applied", 2)


def test_a_paramedic_may_not_publish(server: Server) -> None:
    [refused] = server.push("asha", publish())
    assert refused == refused | {"status": "rejected", "reason": "A paramedic may not publish a formulary."}
    assert formularies_seen_by(server, "rahul") == []


def test_a_coordinator_may_not_publish(server: Server) -> None:
    [refused] = server.push("rahul", publish())
    assert refused["status"] == "rejected" and "coordinator may not publish" in refused["reason"]


def test_a_bad_formulary_is_refused_with_every_problem(server: Server, admin: str) -> None:
    data = drugs()
    data[0]["unit"] = "tablets"
    data[1]["source"] = ""
    data[2]["limits"][0]["routes"] = ["IV", "rectal"]
    [refused] = server.push(admin, publish(data=data))
    assert refused["status"] == "rejected"
    reason = refused["reason"]
    assert reason.startswith("The formulary was not published (3 problems to fix):\n- Drug 1 (Adrenaline): unit")
    assert "Drug 2 (Amiodarone): source is missing" in reason and "route 'rectal' is not known" in reason
    assert formularies_seen_by(server, admin) == []


def test_an_empty_list_is_refused_in_words(server: Server, admin: str) -> None:
    [refused] = server.push(admin, publish(data=[]))
    assert refused["reason"].endswith("- The formulary must be a non-empty list of drugs.")


def test_a_blank_name_is_refused(server: Server, admin: str) -> None:
    [refused] = server.push(admin, publish(label="   "))
    assert refused["status"] == "rejected" and refused["reason"].startswith("Give the formulary a name")


def test_every_role_receives_the_formulary_with_who_and_when(server: Server, admin: str) -> None:
    formulary_id = new_id()
    server.push(admin, publish(formulary_id))
    for user in ("asha", "ravi", "maria", "anu", "rahul", admin):
        [change] = formularies_seen_by(server, user)
        assert (change["entity_id"], change["version"]) == (formulary_id, 1)
    data = change["data"]
    assert (data["label"], data["published_by_name"], data["version"]) == (LABEL, "Deepa Varghese", 1)
    assert data["published_at"] and data["drugs"] == drugs()


def test_the_stored_formulary_is_normalised(server: Server, admin: str) -> None:
    data = drugs()
    data[0]["name"] = "  Adrenaline "
    del data[0]["synonyms"]
    server.push(admin, publish(data=data))
    [change] = formularies_seen_by(server, "asha")
    assert change["data"]["drugs"][0]["name"] == "Adrenaline"
    assert change["data"]["drugs"][0]["synonyms"] == []


def test_a_new_device_pulling_from_the_start_gets_every_version_in_order(server: Server, admin: str) -> None:
    server.push(admin, publish(data=drugs(300.0)))
    server.push(admin, publish(data=drugs(150.0)))
    versions = [c["version"] for c in formularies_seen_by(server, "maria")]
    assert versions == [1, 2]


def test_the_same_formulary_id_twice_is_a_conflict(server: Server, admin: str) -> None:
    formulary_id = new_id()
    applied, again = server.push(admin, publish(formulary_id), publish(formulary_id))
    assert (applied["status"], again["status"]) == ("applied", "conflict")


def test_a_repeated_op_gets_its_stored_answer_and_publishes_once(server: Server, admin: str) -> None:
    same = publish()
    [first] = server.push(admin, same)
    [repeat] = server.push(admin, same)
    assert first == repeat and len(formularies_seen_by(server, "asha")) == 1


def test_drugs_that_are_not_a_list_are_refused_as_malformed(server: Server, admin: str) -> None:
    [refused] = server.push(admin, op("formulary.publish", new_id(), {"label": LABEL, "drugs": {"a": 1}}))
    assert refused["status"] == "rejected" and refused["reason"].startswith("Malformed formulary.publish: drugs")


def test_two_server_processes_publishing_at_once_number_every_version_once(server: Server, admin: str) -> None:
    other = create_app(server.settings)  # a second server process on the same database
    headers = {"Authorization": f"Bearer {server.token(admin)}"}

    def publish_five(client: TestClient) -> list[dict[str, Any]]:
        return [client.post("/sync/push", json={"ops": [publish()]}, headers=headers).json()["results"][0]
                for _ in range(5)]

    with TestClient(other) as other_client, ThreadPoolExecutor(2) as pool:
        answers = [a for done in pool.map(publish_five, (server.client, other_client)) for a in done]
    other.state.engine.dispose()
    assert {a["status"] for a in answers} == {"applied"}
    assert sorted(a["version"] for a in answers) == list(range(1, 11))
