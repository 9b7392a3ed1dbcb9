"""The rules of a transfer's thread: what may be sent, the sender's marks, who is told, who must acknowledge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from emsync_desktop.domain.messages import (
    Message,
    MessageProblem,
    ReadMark,
    Side,
    awaits_acknowledgement,
    check_text,
    notifies,
    sender_mark,
)

T0 = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)


def message(*, urgent: bool = False, state: str = "synced", reads: tuple[ReadMark, ...] = (),
            sender_side: Side = Side.CREW) -> Message:
    return Message("m1", "t1", "Patient deteriorating", urgent, "crew-1", "Asha Menon", sender_side, T0, state,
                   "Not yours." if state == "rejected" else None, reads)


def mark(name: str, side: Side, minutes: int, acknowledged: bool = False) -> ReadMark:
    at = T0 + timedelta(minutes=minutes)
    return ReadMark(f"id-{name}", name, side, at, at if acknowledged else None)


def test_text_is_trimmed_and_control_characters_dropped_line_ends_kept() -> None:
    assert check_text("  BP 80/50\r\nHR 130\x07 ") == "BP 80/50\nHR 130"


@pytest.mark.parametrize(("text", "says"), [("", "Type a message"), (" \t\n", "Type a message"),
                                            ("x" * 501, "501 characters; shorten it to 500")])
def test_an_empty_or_overlong_message_says_what_to_do(text: str, says: str) -> None:
    with pytest.raises(MessageProblem, match=says):
        check_text(text)


@pytest.mark.parametrize(("m", "says"), [
    (message(state="pending"), "queued — goes when online"),
    (message(state="rejected"), "not sent: Not yours."),
    (message(), "delivered"),
    (message(urgent=True), "delivered — waiting for acknowledgement"),
    (message(reads=(mark("Maria Joseph", Side.WARD, 3),)), "read by Maria Joseph (ward) "),
    (message(reads=(mark("Asha's colleague", Side.CREW, 1),)), "delivered"),  # her own side's reading is no receipt
])
def test_the_sender_sees_queued_delivered_read_or_not_sent(m: Message, says: str) -> None:
    assert sender_mark(m).startswith(says)


def test_everyone_who_acknowledged_is_named_in_order() -> None:
    m = message(urgent=True, reads=(mark("Rahul Nair", Side.DESK, 5, True), mark("Maria Joseph", Side.WARD, 3, True)))
    text = sender_mark(m)
    assert text.startswith("acknowledged by Maria Joseph (ward)") and ", Rahul Nair (desk)" in text


def test_an_urgent_message_waits_for_each_other_side_once() -> None:
    m = message(urgent=True, reads=(mark("Maria Joseph", Side.WARD, 3, acknowledged=True),))
    assert not awaits_acknowledgement(m, Side.WARD) and awaits_acknowledgement(m, Side.DESK)
    assert not awaits_acknowledgement(m, Side.CREW)  # the sender's side never acknowledges its own


def test_reading_an_urgent_message_is_not_acknowledging_it() -> None:
    m = message(urgent=True, reads=(mark("Maria Joseph", Side.WARD, 3),))
    assert awaits_acknowledgement(m, Side.WARD)


def test_the_ward_and_the_crew_are_told_of_every_message_from_another_side_until_they_read_it() -> None:
    ward_reader = "id-Maria Joseph"
    assert notifies(message(), ward_reader, Side.WARD)
    assert not notifies(message(reads=(mark("Maria Joseph", Side.WARD, 3),)), ward_reader, Side.WARD)
    assert not notifies(message(sender_side=Side.WARD), ward_reader, Side.WARD)  # a colleague's


def test_the_desk_is_told_of_urgent_messages_and_of_threads_it_wrote_in_only() -> None:
    assert not notifies(message(), "desk-1", Side.DESK)
    assert notifies(message(), "desk-1", Side.DESK, desk_wrote=True)
    assert notifies(message(urgent=True), "desk-1", Side.DESK)
