"""Holds in one batch take free beds locked ahead together (``bed_pool``), and writes wait in memory
until the batch's next statement (``pending_writes``): the answers and the stored records must be
exactly what one hold at a time, written at once, gave."""

from __future__ import annotations

from typing import Any

from emsync_desktop.domain.ids import new_id
from sync_server.bed_pool import ASK, BedPool
from sync_server.rows import free_beds_in
from tests.sync_server.conftest import AMRITA, LOURDES, Server, hold, op, transfer_request


def beds(server: Server, hospital: str, unit: str = "ICU") -> dict[str, dict[str, Any]]:
    """Bed id -> the bed as the feed has it now."""
    latest = {c["entity_id"]: c["data"] for c in server.pull("rahul")["changes"] if c["entity"] == "bed"}
    return {i: b for i, b in latest.items() if b["hospital_id"] == hospital and b["unit"] == unit}


def held_bed(server: Server, booking_id: str) -> str:
    bookings = [c["data"] for c in server.pull("rahul")["changes"] if c["entity_id"] == booking_id]
    return str(bookings[-1]["bed_id"])


def by_label(server: Server, hospital: str) -> list[str]:
    return [i for i, _ in sorted(beds(server, hospital).items(), key=lambda item: item[1]["label"])]


def test_holds_in_one_push_take_the_lowest_labels_and_refuse_past_the_last_bed(server: Server) -> None:
    transfers, bookings = [new_id() for _ in range(3)], [new_id() for _ in range(3)]
    answers = server.push("asha", *[transfer_request(t) for t in transfers],
                          *[hold(b, t) for b, t in zip(bookings, transfers, strict=True)])
    assert [a["status"] for a in answers] == ["applied"] * 5 + ["rejected"]
    assert answers[-1]["reason"] == "No ICU bed left at Lourdes."
    assert [held_bed(server, b) for b in bookings[:2]] == by_label(server, LOURDES)
    assert {b["status"] for b in beds(server, LOURDES).values()} == {"reserved"}


def test_a_bed_released_earlier_in_a_push_is_held_later_in_it(server: Server) -> None:
    first, second = new_id(), new_id()
    server.push("asha", transfer_request(first), hold(first_booking := new_id(), first),
                transfer_request(second), hold(new_id(), second))  # Lourdes ICU is full
    third = new_id()
    release = op("booking.release", first_booking, {})
    answers = server.push("asha", release, transfer_request(third), hold(third_booking := new_id(), third))
    assert [a["status"] for a in answers] == ["applied"] * 3
    assert held_bed(server, third_booking) == held_bed(server, first_booking)


def test_a_bed_taken_out_of_service_earlier_in_a_push_is_not_held_later_in_it(server: Server) -> None:
    lowest, other = by_label(server, LOURDES)
    transfer_id = new_id()
    out = op("bed.set_status", lowest, {"status": "out_of_service"})
    answers = server.push("rahul", out, transfer_request(transfer_id), hold(booking := new_id(), transfer_id))
    assert [a["status"] for a in answers] == ["applied"] * 3
    assert held_bed(server, booking) == other


def test_a_booking_held_and_released_in_one_push_is_stored_released_and_its_bed_free(server: Server) -> None:
    transfer_id, booking = new_id(), new_id()
    answers = server.push("asha", transfer_request(transfer_id), hold(booking, transfer_id),
                          op("booking.release", booking, {}))
    assert [a["status"] for a in answers] == ["applied"] * 3
    stored = [c["data"] for c in server.pull("rahul")["changes"] if c["entity_id"] == booking]
    assert [b["state"] for b in stored] == ["HELD", "RELEASED"]
    assert {b["status"] for b in beds(server, LOURDES).values()} == {"available"}


def test_free_beds_are_read_per_unit_lowest_labels_first_up_to_the_number_asked(server: Server) -> None:
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        rows = free_beds_in(session.connection(), {(LOURDES, "ICU"): 1, (AMRITA, "WARD"): 5})
    lourdes = [r["id"] for r in rows if r["hospital_id"] == LOURDES]
    amrita = [r for r in rows if r["hospital_id"] == AMRITA]
    assert lourdes == by_label(server, LOURDES)[:1]
    assert len(amrita) == 3 and {r["unit"] for r in amrita} == {"WARD"}  # all the unit has


def test_pool_asks_the_database_about_a_unit_it_did_not_load() -> None:
    assert BedPool().first(LOURDES, "ICU") == ASK
