"""Messages on a transfer (issue 29): the crew, the destination ward and the desks write and read one thread;
read marks and acknowledgements come back to the sender; nobody else sees it. On SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol import FEED_VERSION, MESSAGE_ENTITY
from tests.sync_server.conftest import AMRITA, Server, op, transfer_request

NOW = datetime.now(UTC).replace(microsecond=0)


def message(transfer_id: str, text: str, *, urgent: bool = False, quick_reply: str | None = None,
            message_id: str | None = None, sent_at: datetime = NOW) -> dict[str, Any]:
    return op("message.send", message_id or new_id(), {"transfer_id": transfer_id, "text": text, "urgent": urgent,
                                                       "quick_reply": quick_reply, "sent_at": sent_at.isoformat()})


def read_mark(*message_ids: str, acknowledge: bool = False) -> dict[str, Any]:
    return op("message.read", new_id(), {"message_ids": list(message_ids), "acknowledge": acknowledge})


def messages_seen(server: Server, username: str, feed: int = FEED_VERSION) -> dict[str, dict[str, Any]]:
    """Each message's newest data as ``username`` pulls it."""
    response = server.client.get("/sync/pull", params={"since": 0, "feed": feed},
                                 headers={"Authorization": f"Bearer {server.token(username)}"})
    assert response.status_code == 200, response.text
    return {c["entity_id"]: c["data"] for c in response.json()["changes"] if c["entity"] == MESSAGE_ENTITY}


def sent(server: Server) -> str:
    transfer_id = new_id()
    assert server.push("asha", transfer_request(transfer_id))[0]["status"] == "applied"
    return transfer_id


def test_the_crew_the_ward_and_the_desk_see_the_message_and_nobody_else(server: Server) -> None:
    transfer_id = sent(server)
    first = message(transfer_id, "ETA 5 min", quick_reply="eta_5")
    assert server.push("asha", first)[0]["status"] == "applied"
    for party in ("asha", "maria", "rahul"):
        data = messages_seen(server, party)[first["entity_id"]]
        assert (data["text"], data["sender_side"], data["sender_name"] != "?") == ("ETA 5 min", "crew", True)
    assert messages_seen(server, "anu") == {} and messages_seen(server, "ravi") == {}


def test_a_read_mark_from_the_ward_reaches_the_crew(server: Server) -> None:
    transfer_id = sent(server)
    first = message(transfer_id, "Need resus bay")
    server.push("asha", first)
    assert server.push("maria", read_mark(first["entity_id"]))[0]["status"] == "applied"
    data = messages_seen(server, "asha")[first["entity_id"]]
    assert [(m["side"], m["acknowledged_at"]) for m in data["reads"]] == [("ward", None)]
    assert data["version"] == 2


def test_reading_twice_or_reading_ones_own_message_changes_nothing(server: Server) -> None:
    transfer_id = sent(server)
    first = message(transfer_id, "Need resus bay")
    server.push("asha", first)
    server.push("maria", read_mark(first["entity_id"]))
    server.push("maria", read_mark(first["entity_id"]))
    server.push("asha", read_mark(first["entity_id"]))
    data = messages_seen(server, "rahul")[first["entity_id"]]
    assert len(data["reads"]) == 1 and data["version"] == 2


def test_an_urgent_message_is_acknowledged_by_name(server: Server) -> None:
    transfer_id = sent(server)
    urgent = message(transfer_id, "Patient deteriorating", urgent=True, quick_reply="deteriorating")
    server.push("asha", urgent)
    server.push("maria", read_mark(urgent["entity_id"]))
    server.push("maria", read_mark(urgent["entity_id"], acknowledge=True))
    [mark] = messages_seen(server, "asha")[urgent["entity_id"]]["reads"]
    assert mark["acknowledged_at"] is not None and mark["read_at"] <= mark["acknowledged_at"]


def test_the_ward_answers_and_the_crew_sees_it(server: Server) -> None:
    transfer_id = sent(server)
    answer = message(transfer_id, "Ready for you", quick_reply="ready")
    assert server.push("maria", answer)[0]["status"] == "applied"
    assert messages_seen(server, "asha")[answer["entity_id"]]["sender_side"] == "ward"


def test_another_crew_or_hospital_cannot_write_on_the_thread(server: Server) -> None:
    transfer_id = sent(server)
    [other_crew] = server.push("ravi", message(transfer_id, "hello"))
    [other_ward] = server.push("anu", message(transfer_id, "hello"))
    assert other_crew["status"] == "rejected" and "another crew" in other_crew["reason"]
    assert other_ward["status"] == "rejected" and "your hospital" in other_ward["reason"]


def test_a_message_written_before_its_transfer_reached_the_server_waits(server: Server) -> None:
    [early] = server.push("asha", message(new_id(), "ETA 5 min"))
    assert early["status"] == "deferred"


def test_an_empty_or_overlong_message_is_refused_as_malformed(server: Server) -> None:
    transfer_id = sent(server)
    [empty, long] = server.push("asha", message(transfer_id, ""), message(transfer_id, "x" * 501))
    assert empty["status"] == long["status"] == "rejected" and "text" in long["reason"]


def test_a_message_from_the_future_is_dated_when_the_server_got_it(server: Server) -> None:
    transfer_id = sent(server)
    ahead = message(transfer_id, "ETA 5 min", sent_at=NOW + timedelta(hours=2))
    server.push("asha", ahead)
    data = messages_seen(server, "maria")[ahead["entity_id"]]
    assert data["sent_at"] <= data["received_at"]


def test_an_older_client_is_sent_no_message_it_cannot_read(server: Server) -> None:
    transfer_id = sent(server)
    server.push("asha", message(transfer_id, "ETA 5 min"))
    assert messages_seen(server, "maria", feed=3) == {}


def test_the_new_hospital_gets_the_thread_of_a_redirected_transfer(server: Server) -> None:
    transfer_id = sent(server)
    first = message(transfer_id, "Need resus bay")
    server.push("asha", first)
    [moved] = server.push("rahul", op("transfer.redirect", transfer_id, {
        "destination_hospital_id": AMRITA, "unit": "ICU", "booking_id": new_id(), "reason": "CT down"}))
    assert moved["status"] == "applied"
    assert first["entity_id"] in messages_seen(server, "anu")
    [old_ward] = server.push("maria", message(transfer_id, "Ready for you"))
    assert old_ward["status"] == "rejected"


def test_a_read_mark_for_an_unknown_message_is_refused(server: Server) -> None:
    [answer] = server.push("maria", read_mark(new_id()))
    assert answer["status"] == "rejected" and "not on the server" in answer["reason"]


def test_a_message_sent_again_after_a_lost_answer_is_kept_once(server: Server) -> None:
    transfer_id = sent(server)
    first = message(transfer_id, "Need resus bay")
    [answer] = server.push("asha", first)
    [again] = server.push("asha", first)  # the same op: its answer was lost on the way back
    assert answer == again and answer["status"] == "applied"
    assert list(messages_seen(server, "maria")) == [first["entity_id"]]


def test_an_acknowledgement_made_offline_keeps_its_time(server: Server) -> None:
    transfer_id = sent(server)
    urgent = message(transfer_id, "Patient deteriorating", urgent=True)
    server.push("asha", urgent)
    received = datetime.fromisoformat(messages_seen(server, "maria")[urgent["entity_id"]]["received_at"])
    time.sleep(1.0)
    mark = read_mark(urgent["entity_id"], acknowledge=True)
    mark["payload"]["at"] = (received + timedelta(milliseconds=300)).isoformat()  # acknowledged offline, sent later
    server.push("maria", mark)
    [seen] = messages_seen(server, "asha")[urgent["entity_id"]]["reads"]
    assert datetime.fromisoformat(seen["acknowledged_at"]) == received + timedelta(milliseconds=300)


def test_a_read_mark_is_never_dated_before_the_message_or_in_the_future(server: Server) -> None:
    transfer_id = sent(server)
    urgent = message(transfer_id, "Patient deteriorating", urgent=True)
    server.push("asha", urgent)
    behind, ahead = read_mark(urgent["entity_id"]), read_mark(urgent["entity_id"])
    behind["payload"]["at"] = (NOW - timedelta(days=1)).isoformat()  # a device clock a day behind
    ahead["payload"]["at"] = (datetime.now(UTC) + timedelta(days=1)).isoformat()  # a day ahead
    server.push("maria", behind)
    server.push("rahul", ahead)
    data = messages_seen(server, "asha")[urgent["entity_id"]]
    times = [datetime.fromisoformat(m["read_at"]) for m in data["reads"]]
    assert all(datetime.fromisoformat(data["received_at"]) <= t <= datetime.now(UTC) for t in times)
