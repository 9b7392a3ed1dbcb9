"""The admin's formulary through the server and back (issue 19): the admin's device queues the publish,
the server's answer lands on it, and every device's pull stores it, after which it is the formulary in
force there. Runs on SQLite and PostgreSQL servers."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emsync_desktop.domain.formulary_defaults import DEFAULT_FORMULARY
from emsync_desktop.domain.formulary_parse import formulary_to_data, parse_formulary
from emsync_desktop.domain.roles import Role
from emsync_desktop.security.crypto import new_data_key
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.formulary_admin import FormularyAdmin
from emsync_desktop.services.formulary_store import FormularyInfo, current_formulary_in
from emsync_desktop.store.database import Store
from emsync_desktop.sync.local import store_changes, store_results, take_pending
from emsync_desktop.sync.protocol import Change, OpResult
from tests.services.conftest import NOW
from tests.sync_server.conftest import Server, db_url, server
from tests.sync_server.test_formulary import LABEL, admin

__all__ = ["admin", "db_url", "server"]  # the server fixtures, on both databases


def edited(aspirin_max_mg: float) -> Any:
    data = copy.deepcopy(formulary_to_data(DEFAULT_FORMULARY))
    next(d for d in data if d["key"] == "aspirin")["limits"][0]["adult_max_single"] = aspirin_max_mg
    return parse_formulary(data)


def push_as(server: Server, user: str, app_context: AppContext) -> list[dict[str, Any]]:
    ops = take_pending(app_context.store, app_context.install.device_id, 100)
    response = server.client.post("/sync/push", json={"ops": [op.model_dump(mode="json") for op in ops]},
                                  headers={"Authorization": f"Bearer {server.token(user)}"})
    results = list(response.json()["results"])
    store_results(app_context.store, [OpResult.model_validate(r) for r in results], NOW)
    return results


def pull_into(store: Store, server: Server, user: str) -> None:
    """The formulary's changes of a pull (a bare store holds no hospitals for the beds' changes)."""
    page = server.pull(user)
    store_changes(store, [Change.model_validate(c) for c in page["changes"] if c["entity"] == "formulary"],
                  page["cursor"])


def in_force(store: Store) -> FormularyInfo:
    with store.sessions.begin() as session:
        return current_formulary_in(session)


@pytest.fixture
def desk(app_context: AppContext) -> FormularyAdmin:
    user = next(u for u in demo_users(app_context.store) if u.role is Role.ADMIN)
    return FormularyAdmin(app_context.store, user, clock=lambda: NOW)


@pytest.fixture
def ambulance_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "ambulance.db", new_data_key())
    yield store
    store.close()


def test_the_publish_is_applied_and_its_version_lands_on_the_admins_device(
        server: Server, admin: str, app_context: AppContext, desk: FormularyAdmin) -> None:
    op_id = desk.publish(edited(150.0), LABEL)
    [result] = push_as(server, admin, app_context)
    assert (result["status"], desk.answer(op_id).state, desk.answer(op_id).version) == ("applied", "applied", 1)


def test_an_ambulance_pulls_the_published_formulary_and_it_is_in_force(
        server: Server, admin: str, app_context: AppContext, desk: FormularyAdmin, ambulance_store: Store) -> None:
    desk.publish(edited(150.0), LABEL)
    push_as(server, admin, app_context)
    pull_into(ambulance_store, server, "asha")
    pull_into(ambulance_store, server, "asha")
    info = in_force(ambulance_store)
    aspirin = next(d for d in info.drugs if d.key == "aspirin")
    assert info.reviewed and info.source.startswith(f"{LABEL} (version 1, published ")
    assert aspirin.limits[0].adult_max_single == 150.0


def test_the_newest_publish_is_in_force_on_a_device_that_missed_both(
        server: Server, admin: str, app_context: AppContext, desk: FormularyAdmin, ambulance_store: Store) -> None:
    for aspirin_max_mg in (200.0, 150.0):
        desk.publish(edited(aspirin_max_mg), LABEL)
        push_as(server, admin, app_context)
    pull_into(ambulance_store, server, "maria")
    assert "(version 2," in in_force(ambulance_store).source


def test_a_refusal_from_the_server_is_the_answer_the_desk_shows(
        server: Server, app_context: AppContext, desk: FormularyAdmin) -> None:
    op_id = desk.publish(edited(150.0), LABEL)
    push_as(server, "rahul", app_context)  # signed in to the server as a coordinator: refused there
    answer = desk.answer(op_id)
    assert (answer.state, answer.reason) == ("rejected", "A coordinator may not publish a formulary.")
