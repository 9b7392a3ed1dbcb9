"""The admin's formulary on the desk: exported and read back as JSON (every problem in an edited file named),
and published as one outbox op, by an admin only, one at a time, with the server's answer read back (issue 19)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from emsync_desktop.domain.formulary_defaults import DEFAULT_FORMULARY
from emsync_desktop.domain.formulary_parse import FormularyError, parse_formulary
from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.formulary_admin import (
    FormularyAdmin,
    PublishAnswer,
    PublishRefused,
    read_formulary_file,
    write_formulary_file,
)
from emsync_desktop.services.formulary_store import DEFAULT_INFO
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import OutboxOp
from emsync_desktop.sync.local import store_results
from emsync_desktop.sync.protocol import OpResult
from tests.services.conftest import NOW
from tests.services.test_formulary_store import LABEL, drugs_data, in_force


@pytest.fixture
def admin_user(app_context: AppContext) -> UserInfo:
    return next(u for u in demo_users(app_context.store) if u.role is Role.ADMIN)


@pytest.fixture
def admin(app_context: AppContext, admin_user: UserInfo) -> FormularyAdmin:
    return FormularyAdmin(app_context.store, admin_user, clock=lambda: NOW)


def outbox(store: Store) -> list[OutboxOp]:
    with store.sessions.begin() as session:
        return list(session.scalars(select(OutboxOp)).all())


def test_publish_queues_one_op_with_the_name_and_the_drugs(app_context: AppContext, admin: FormularyAdmin) -> None:
    op_id = admin.publish(parse_formulary(drugs_data(150.0)), f"  {LABEL}\n")
    [row] = outbox(app_context.store)
    payload = json.loads(row.payload)
    assert (row.op_id, row.kind, row.state) == (op_id, "formulary.publish", "pending")
    assert payload == {"label": LABEL, "drugs": drugs_data(150.0)}


def test_publishing_does_not_change_the_formulary_in_force_before_the_server_answers(
        app_context: AppContext, admin: FormularyAdmin) -> None:
    admin.publish(parse_formulary(drugs_data(150.0)), LABEL)
    assert in_force(app_context.store) == DEFAULT_INFO


def test_only_an_admin_may_publish(app_context: AppContext, paramedic: UserInfo) -> None:
    with pytest.raises(PublishRefused, match="Only an administrator"):
        FormularyAdmin(app_context.store, paramedic).publish(DEFAULT_FORMULARY, LABEL)
    assert outbox(app_context.store) == []


def test_a_formulary_needs_a_name(admin: FormularyAdmin) -> None:
    with pytest.raises(PublishRefused, match="Give the formulary a name"):
        admin.publish(DEFAULT_FORMULARY, "  ")


def test_a_second_publish_waits_for_the_first_answer(app_context: AppContext, admin: FormularyAdmin) -> None:
    first = admin.publish(DEFAULT_FORMULARY, LABEL)
    with pytest.raises(PublishRefused, match="still waiting for the server's answer"):
        admin.publish(DEFAULT_FORMULARY, LABEL)
    store_results(app_context.store, [OpResult(op_id=first, status="applied", version=1)], NOW)
    assert admin.publish(DEFAULT_FORMULARY, LABEL)


def test_the_answer_is_pending_then_applied_with_its_version(app_context: AppContext, admin: FormularyAdmin) -> None:
    op_id = admin.publish(DEFAULT_FORMULARY, LABEL)
    assert admin.answer(op_id).state == "pending"
    store_results(app_context.store, [OpResult(op_id=op_id, status="applied", version=3)], NOW)
    assert (admin.answer(op_id).state, admin.answer(op_id).version) == ("applied", 3)


def test_a_refusal_is_answered_with_its_reason(app_context: AppContext, admin: FormularyAdmin) -> None:
    op_id = admin.publish(DEFAULT_FORMULARY, LABEL)
    store_results(app_context.store, [OpResult(op_id=op_id, status="rejected", reason="- Drug 1: bad")], NOW)
    assert admin.answer(op_id) == PublishAnswer("rejected", "- Drug 1: bad", None)


def test_an_exported_formulary_reads_back_the_same(tmp_path: Path) -> None:
    path = write_formulary_file(DEFAULT_FORMULARY, tmp_path / "formulary.json")
    assert read_formulary_file(path) == DEFAULT_FORMULARY


def test_a_file_with_problems_names_every_one(tmp_path: Path) -> None:
    data = drugs_data()
    data[0]["unit"], data[1]["source"] = "tablets", ""
    (tmp_path / "edited.json").write_text(json.dumps(data))
    with pytest.raises(FormularyError) as raised:
        read_formulary_file(tmp_path / "edited.json")
    assert [p[:27] for p in raised.value.problems] == ["Drug 1 (Adrenaline): unit '", "Drug 2 (Amiodarone): source"]


def test_a_file_that_is_not_json_says_where(tmp_path: Path) -> None:
    (tmp_path / "edited.json").write_text('[{"key": "aspirin",}]')
    with pytest.raises(FormularyError) as raised:
        read_formulary_file(tmp_path / "edited.json")
    assert raised.value.problems[0].startswith("edited.json is not valid JSON: ")
    assert "line 1, column 20" in raised.value.problems[0]
