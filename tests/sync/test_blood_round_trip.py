"""Blood through the server and back (issue 24): a ward's request queued on its PC reaches the blood bank's PC,
the server's allocation and issue come back to the ward, and the bedside check runs on the ward's PC before the
transfusion is sent. The devices' services against the real server app, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from emsync_desktop.domain.blood import Abo, BloodGroup, Component, Donation, PackRatio, din_check_character
from emsync_desktop.domain.blood_flow import PatientIds, RequestState, UnitState, Urgency
from emsync_desktop.domain.ids import demo_id, new_id
from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.security.crypto import new_data_key
from emsync_desktop.services.blood_bank import BloodAsk, BloodBankService, BloodInputProblem, NewUnit
from emsync_desktop.services.blood_donors import DonorService
from emsync_desktop.services.blood_views import BloodViews
from emsync_desktop.services.clock import utc_now
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import OutboxOp
from emsync_desktop.sync.local import store_changes, store_results, take_pending
from emsync_desktop.sync.protocol import FEED_VERSION, Change, OpResult
from emsync_desktop.sync.protocol_blood import BLOOD_PAR_ENTITY, BLOOD_REQUEST_ENTITY, BLOOD_UNIT_ENTITY, DONOR_ENTITY
from tests.sync_server.conftest import AMRITA, LOURDES, Server, db_url, server

__all__ = ["db_url", "server"]  # the server fixtures, on both databases
PATIENT = PatientIds("Meera Pillai", "1988-07-21")


@dataclass
class Device:
    store: Store
    user: UserInfo
    device_id: str

    def push(self, server: Server) -> list[dict[str, Any]]:
        ops = take_pending(self.store, self.device_id, 100)
        response = server.client.post("/sync/push", json={"ops": [op.model_dump(mode="json") for op in ops]},
                                      headers={"Authorization": f"Bearer {server.token(self.user.username)}"})
        results = list(response.json()["results"])
        store_results(self.store, [OpResult.model_validate(r) for r in results], utc_now())
        return results

    def pull(self, server: Server) -> None:
        response = server.client.get("/sync/pull", params={"since": 0, "feed": FEED_VERSION, "limit": 1000},
                                     headers={"Authorization": f"Bearer {server.token(self.user.username)}"})
        page = response.json()
        kinds = (BLOOD_UNIT_ENTITY, BLOOD_REQUEST_ENTITY, DONOR_ENTITY, BLOOD_PAR_ENTITY)
        store_changes(self.store, [Change.model_validate(c) for c in page["changes"] if c["entity"] in kinds],
                      page["cursor"])


def device(tmp_path: Path, username: str, role: Role) -> Iterator[Device]:
    store = Store.open(tmp_path / f"{username}.db", new_data_key())
    yield Device(store, UserInfo(demo_id("user", username), username, username.title(), role, LOURDES), new_id())
    store.close()


@pytest.fixture
def ward(tmp_path: Path) -> Iterator[Device]:
    yield from device(tmp_path, "maria", Role.NURSE)


@pytest.fixture
def bank(tmp_path: Path) -> Iterator[Device]:
    yield from device(tmp_path, "joseph", Role.BLOOD_BANK)


def register_o_negative(bank: Device, n: int) -> None:
    service = BloodBankService(bank.store, bank.user)
    for i in range(n):
        din = f"G1234{utc_now():%y}{700_000 + i:06d}"
        service.register_unit(NewUnit(din + din_check_character(din), "E0336V00", Component.RED_CELLS, Abo.O, False,
                                      280, utc_now() - timedelta(days=3)))


def ask(ward: Device) -> str:
    return BloodBankService(ward.store, ward.user).request_blood(BloodAsk(
        PATIENT, None, None, True, Urgency.EMERGENCY, {Component.RED_CELLS: 2}, "postpartum haemorrhage"))


def test_a_wards_request_is_allocated_issued_and_transfused_after_the_bedside_check(
        server: Server, ward: Device, bank: Device) -> None:
    register_o_negative(bank, 3)
    request_id = ask(ward)
    assert [r["status"] for r in bank.push(server) + ward.push(server)] == ["applied"] * 4
    bank.pull(server)
    [queued] = BloodViews(bank.store, bank.user).queue()
    assert (queued.id, queued.patient_name, queued.asked_text) == (request_id, PATIENT.name, "red cells 2")
    BloodBankService(bank.store, bank.user).allocate(request_id)
    bank.push(server)
    bank.pull(server)
    reserved = BloodViews(bank.store, bank.user).request(request_id)
    assert reserved is not None and reserved.state is RequestState.ALLOCATED
    BloodBankService(bank.store, bank.user).issue(request_id, tuple(u.id for u in reserved.units))
    bank.push(server)
    ward.pull(server)
    issued = BloodViews(ward.store, ward.user).request(request_id)
    assert issued is not None and {u.state for u in issued.units} == {UnitState.ISSUED}
    first = issued.units[0]
    with pytest.raises(BloodInputProblem, match="second identifier"):
        BloodBankService(ward.store, ward.user).start_transfusion(first.id, first.din, PatientIds(PATIENT.name, "x"))
    BloodBankService(ward.store, ward.user).start_transfusion(first.id, first.din, PATIENT)
    assert [r["status"] for r in ward.push(server)] == ["applied"]
    ward.pull(server)
    after = BloodViews(ward.store, ward.user).request(request_id)
    assert after is not None and sorted(u.state for u in after.units) == [UnitState.ISSUED, UnitState.TRANSFUSED]


def test_a_refused_allocation_stays_on_the_request_with_its_reason(
        server: Server, ward: Device, bank: Device) -> None:
    request_id = ask(ward)
    ward.push(server)
    bank.pull(server)
    BloodBankService(bank.store, bank.user).allocate(request_id)
    [refused] = bank.push(server)
    view = BloodViews(bank.store, bank.user).request(request_id)
    assert refused["status"] == "rejected" and view is not None
    assert view.sync_state == "rejected" and "No compatible unit" in str(view.sync_reason)


def test_a_mistyped_donation_number_is_refused_on_the_device_and_nothing_is_queued(bank: Device) -> None:
    with pytest.raises(BloodInputProblem, match="check character"):
        BloodBankService(bank.store, bank.user).register_unit(NewUnit(
            "G123426100001X", "E0336V00", Component.RED_CELLS, Abo.O, False, 280, utc_now() - timedelta(days=1)))
    assert take_pending(bank.store, bank.device_id, 10) == []


def test_a_donor_registered_offline_reaches_the_server_and_is_called_up_when_o_negative_runs_low(
        server: Server, bank: Device, tmp_path: Path) -> None:
    donors = DonorService(bank.store, bank.user)
    rested = donors.register("Anu Mathew", "+91 94470 12345", BloodGroup(Abo.O, False),
                             utc_now() - timedelta(weeks=20))
    donors.register("Biju Paul", "+91 94470 55555", BloodGroup(Abo.O, False), utc_now() - timedelta(weeks=2))
    assert [r["status"] for r in bank.push(server)] == ["applied"] * 2
    bank.pull(server)
    assert {v.sync_state for v in donors.registry()} == {"synced"}
    call_up = donors.call_up()  # no O negative on this shelf: below par
    assert BloodGroup(Abo.O, False) in call_up.short and [d.id for d in call_up.donors] == [rested]
    target = tmp_path / "call-up.csv"
    assert donors.export_call_up(target) == 1
    rows = target.read_text("utf-8").splitlines()
    assert rows[0].startswith("name,phone,group") and rows[1].startswith("Anu Mathew,+91 94470 12345,O neg")
    donors.record_donation(rested, Donation.WHOLE_BLOOD)
    assert donors.call_up().donors == []  # just gave: rested no longer


def test_a_unit_sent_to_another_hospital_leaves_this_shelf_once_the_server_has_moved_it(
        server: Server, bank: Device) -> None:
    register_o_negative(bank, 1)
    bank.push(server)
    bank.pull(server)
    [unit] = BloodViews(bank.store, bank.user).shelf()
    with pytest.raises(BloodInputProblem, match="Say why"):
        BloodBankService(bank.store, bank.user).send_unit(unit.id, AMRITA, " ")
    BloodBankService(bank.store, bank.user).send_unit(unit.id, AMRITA, "Amrita has no O negative")
    assert [r["status"] for r in bank.push(server)] == ["applied"]
    bank.pull(server)
    assert BloodViews(bank.store, bank.user).shelf() == []


def test_a_par_level_changed_on_one_blood_bank_pc_is_the_par_on_another(
        server: Server, bank: Device, tmp_path: Path) -> None:
    o_negative = BloodGroup(Abo.O, False)
    BloodBankService(bank.store, bank.user).set_par(Component.RED_CELLS, o_negative, 25)
    assert [r["status"] for r in bank.push(server)] == ["applied"]
    (tmp_path / "second-pc").mkdir()
    other = next(device(tmp_path / "second-pc", "joseph", Role.BLOOD_BANK))
    other.pull(server)
    [line] = [s for s in BloodViews(other.store, other.user).stock()
              if (s.component, s.group) == (Component.RED_CELLS, o_negative)]
    assert (line.par, line.short) == (25, 25)
    other.store.close()


def test_a_bag_scanned_twice_is_refused_on_the_device(bank: Device) -> None:
    register_o_negative(bank, 1)
    with pytest.raises(BloodInputProblem, match="scanned twice"):
        register_o_negative(bank, 1)
    assert len(take_pending(bank.store, bank.device_id, 10)) == 1


def test_once_answered_a_requests_queued_copy_keeps_no_patient_identifiers(server: Server, ward: Device) -> None:
    ask(ward)
    ward.push(server)
    with ward.store.sessions.begin() as session:
        [payload] = [json.loads(op.payload) for op in session.scalars(select(OutboxOp))]
    assert (payload["patient_name"], payload["patient_second_id"], payload["counts"]) == ("", "", {"red_cells": 2})
    [view] = BloodViews(ward.store, ward.user).queue()
    assert view.patient_name == PATIENT.name  # kept where it belongs: the record's encrypted columns


def test_a_deferred_donor_cannot_be_recorded_as_giving(bank: Device) -> None:
    donors = DonorService(bank.store, bank.user)
    donor_id = donors.register("Anu Mathew", "", BloodGroup(Abo.O, False))
    donors.defer(donor_id, utc_now() + timedelta(days=20), "travel to a malaria area")
    with pytest.raises(BloodInputProblem, match="deferred until"):
        donors.record_donation(donor_id, Donation.WHOLE_BLOOD)


def test_the_blood_banks_pack_reaches_the_ward_and_its_intervals_the_call_up_list(
        server: Server, bank: Device, ward: Device) -> None:
    donors = DonorService(bank.store, bank.user)
    donors.register("Anu Mathew", "", BloodGroup(Abo.O, False), utc_now() - timedelta(days=40))
    assert donors.call_up().donors == []  # 40 days after whole blood: not yet (56 by default)
    BloodBankService(bank.store, bank.user).set_pack_and_intervals(
        PackRatio(4, 4, 1), {kind: 30 if kind is Donation.WHOLE_BLOOD else 28 for kind in Donation})
    assert [d.name for d in donors.call_up().donors] == ["Anu Mathew"]
    assert [r["status"] for r in bank.push(server)] == ["applied"] * 2
    ward.pull(server)
    assert BloodViews(ward.store, ward.user).pack() == PackRatio(4, 4, 1)
