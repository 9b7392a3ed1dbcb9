"""A ward's tasks (issue 26) on the server, on SQLite and PostgreSQL: made by nurses and by events, claimed by the
first nurse only, moved by the rules of ``domain.ward_tasks``, seen by the hospital's nurses and the desks."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol_tasks import WARD_TASK_ENTITY
from sync_server.handlers.ward_tasks import task_unread_handoffs
from sync_server.seed import ensure_system_user
from tests.sync_server.conftest import LOURDES, Server, hold, op, transfer_request
from tests.sync_server.test_redirect_and_bed_choice import bed_ids


def new_task(title: str = "Check drip, bed 3", priority: str = "urgent", task_id: str | None = None,
             **extra: Any) -> dict[str, Any]:
    return op("task.create", task_id or new_id(), {"title": title, "unit": "ICU", "priority": priority, **extra})


def move(task_id: str, target: str, **extra: Any) -> dict[str, Any]:
    return op("task.move", task_id, {"target": target, **extra})


def tasks(server: Server, user: str) -> dict[str, dict[str, Any]]:
    """Each task's newest row as ``user`` pulls it."""
    return {t["id"]: t for t in server.pull_all(user, WARD_TASK_ENTITY)}


def made(server: Server, **extra: Any) -> str:
    task = new_task(**extra)
    assert server.push("maria", task)[0]["status"] == "applied"
    return str(task["entity_id"])


def test_a_task_reaches_the_wards_nurses_and_the_desk_but_not_other_hospitals(server: Server) -> None:
    task_id = made(server)
    assert tasks(server, "leela")[task_id]["state"] == "requested"
    assert task_id in tasks(server, "rahul")
    assert tasks(server, "anu") == {} and tasks(server, "asha") == {}


def test_the_second_claim_is_refused_with_who_has_the_task(server: Server) -> None:
    task_id = made(server)
    assert server.push("maria", move(task_id, "accepted"))[0]["status"] == "applied"
    [answer] = server.push("leela", move(task_id, "accepted"))
    name = tasks(server, "rahul")[task_id]["claimed_by_name"]
    assert answer["status"] == "conflict" and answer["reason"] == f"Already claimed by {name}."


def test_claims_at_the_same_moment_give_the_task_to_one_nurse(server: Server) -> None:
    task_ids = [made(server) for _ in range(6)]
    answers: dict[str, list[str]] = {"maria": [], "leela": []}

    def claim_all(user: str) -> None:
        for task_id in task_ids:
            answers[user] += [a["status"] for a in server.push(user, move(task_id, "accepted"))]

    threads = [threading.Thread(target=claim_all, args=(user,)) for user in answers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i, task_id in enumerate(task_ids):
        statuses = sorted(answers[user][i] for user in answers)
        assert statuses == ["applied", "conflict"], (task_id, statuses)


def test_only_the_claimant_finishes_a_claimed_task(server: Server) -> None:
    task_id = made(server)
    server.push("maria", move(task_id, "accepted"))
    [answer] = server.push("leela", move(task_id, "completed"))
    assert answer["status"] == "conflict" and "hand it back" in answer["reason"]
    assert server.push("maria", move(task_id, "completed"))[0]["status"] == "applied"
    assert tasks(server, "leela")[task_id]["state"] == "completed"


def test_a_task_is_cancelled_only_with_a_reason(server: Server) -> None:
    task_id = made(server)
    assert server.push("leela", move(task_id, "cancelled"))[0]["status"] == "conflict"
    assert server.push("leela", move(task_id, "cancelled", reason="patient discharged"))[0]["status"] == "applied"


def test_a_nurse_of_another_hospital_cannot_claim(server: Server) -> None:
    task_id = made(server)
    [answer] = server.push("anu", move(task_id, "accepted"))
    assert answer["status"] == "rejected" and "another hospital" in answer["reason"]


def test_a_bed_set_to_cleaning_makes_a_task_and_done_frees_the_bed(server: Server) -> None:
    [bed_id] = bed_ids(server, LOURDES, "available")[:1]
    server.push("maria", op("bed.set_status", bed_id, {"status": "cleaning"}))
    [task] = [t for t in tasks(server, "maria").values() if t["kind"] == "cleaning"]
    assert task["bed_id"] == bed_id and task["title"].startswith("Clean bed")
    server.push("leela", move(task["id"], "accepted"), move(task["id"], "completed"))
    assert bed_id in bed_ids(server, LOURDES, "available")


def test_a_bed_set_available_by_hand_cancels_its_cleaning_task(server: Server) -> None:
    [bed_id] = bed_ids(server, LOURDES, "available")[:1]
    server.push("maria", op("bed.set_status", bed_id, {"status": "cleaning"}))
    server.push("maria", op("bed.set_status", bed_id, {"status": "available"}))
    [task] = [t for t in tasks(server, "maria").values() if t["kind"] == "cleaning"]
    assert task["state"] == "cancelled" and "available" in task["reason"]


def test_an_accepted_transfer_makes_a_prepare_bed_task_due_before_its_eta(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id), hold(new_id(), transfer_id))
    server.push("maria", op("transfer.transition", transfer_id, {"target": "ACCEPTED"}))
    [task] = [t for t in tasks(server, "maria").values() if t["kind"] == "prepare_bed"]
    assert task["priority"] == "stat" and task["bed_label"] and task["source_id"] == transfer_id
    assert task["title"].startswith(f"Prepare bed {task['bed_label']}")


def test_arrival_cancels_bed_preparation_and_asks_for_first_observations(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id), hold(new_id(), transfer_id))
    server.push("maria", op("transfer.transition", transfer_id, {"target": "ACCEPTED"}),
                op("transfer.transition", transfer_id, {"target": "ARRIVED"}))
    by_kind = {t["kind"]: t for t in tasks(server, "maria").values()}
    assert by_kind["prepare_bed"]["state"] == "cancelled"
    assert by_kind["observations"]["state"] == "requested" and by_kind["observations"]["bed_id"]


def test_observations_done_plan_the_next_set_by_news2(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id), hold(new_id(), transfer_id))
    server.push("maria", op("transfer.transition", transfer_id, {"target": "ACCEPTED"}),
                op("transfer.transition", transfer_id, {"target": "ARRIVED"}))
    first = next(t for t in tasks(server, "maria").values() if t["kind"] == "observations")
    server.push("maria", move(first["id"], "accepted"))
    assert server.push("maria", move(first["id"], "completed"))[0]["status"] == "rejected"  # no score given
    server.push("maria", move(first["id"], "completed", news2=5))
    [following] = [t for t in tasks(server, "maria").values() if t["source_id"] == first["id"]]
    gap = datetime.fromisoformat(following["due_at"]) - datetime.fromisoformat(first["updated_at"])
    assert following["priority"] == "urgent" and timedelta(minutes=59) < gap <= timedelta(hours=1, minutes=1)


def test_an_unread_handoff_near_arrival_makes_one_stat_task(server: Server) -> None:
    transfer_id = new_id()
    request = transfer_request(transfer_id)
    request["payload"]["eta_s"] = 300
    answers = server.push("asha", request, op("handoff.add", new_id(), {
        "transfer_id": transfer_id, "version": 1, "situation": "S", "background": "B", "assessment": "A",
        "recommendation": "R"}))
    assert [a["status"] for a in answers] == ["applied", "applied"], answers
    app = server.client.app
    for _ in range(2):
        with app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
            task_unread_handoffs(session, datetime.now(UTC), ensure_system_user(session))
    [task] = [t for t in tasks(server, "maria").values() if t["kind"] == "handoff_ack"]
    assert task["priority"] == "stat" and task["source_id"] == transfer_id


def test_the_demo_ward_starts_with_an_escalated_stat_task(server: Server) -> None:
    from sync_server.demo_tasks import seed_demo_tasks

    app = server.client.app
    now = datetime.now(UTC)
    with app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        assert seed_demo_tasks(session, now) and not seed_demo_tasks(session, now)
    stat = next(t for t in tasks(server, "maria").values() if t["priority"] == "stat")
    assert stat["state"] == "requested" and datetime.fromisoformat(stat["created_at"]) < now - timedelta(minutes=5)
