"""A blood bank's par levels on the server (issue 24): set by its own staff, the whole table, to its hospital."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol_blood import BLOOD_PAR_ENTITY
from tests.sync_server.blood_helpers import NOW, applied, seen
from tests.sync_server.conftest import AMRITA, LOURDES, Server, op

O_NEG = {"component": "red_cells", "abo": "O", "rhd_positive": False}


def par_set(hospital_id: str, *levels: dict[str, Any]) -> dict[str, Any]:
    return op("blood.par_set", hospital_id, {"levels": list(levels)})


def test_the_blood_bank_sets_its_par_levels_and_its_hospital_sees_them(server: Server) -> None:
    applied(server, "joseph", par_set(LOURDES, {**O_NEG, "par": 12}))
    applied(server, "joseph", par_set(LOURDES, {**O_NEG, "par": 14}))
    data = seen(server, "maria", BLOOD_PAR_ENTITY)[LOURDES]
    assert (data["levels"], data["version"]) == ([{**O_NEG, "par": 14}], 2)
    assert LOURDES not in seen(server, "lakshmi", BLOOD_PAR_ENTITY)


def test_only_the_hospitals_own_blood_bank_sets_them(server: Server) -> None:
    [nurse] = server.push("maria", par_set(LOURDES, {**O_NEG, "par": 1}))
    [elsewhere] = server.push("joseph", par_set(AMRITA, {**O_NEG, "par": 1}))
    assert "may not set par levels" in nurse["reason"] and "own blood bank" in elsewhere["reason"]


def test_a_line_given_twice_is_refused(server: Server) -> None:
    [twice] = server.push("joseph", par_set(LOURDES, {**O_NEG, "par": 1}, {**O_NEG, "par": 2}))
    assert twice["status"] == "rejected" and "twice" in twice["reason"]


def test_the_pack_and_donor_intervals_are_the_blood_banks_own(server: Server) -> None:
    donor = op("donor.register", new_id(), {"name": "Anu Mathew", "phone": "", "abo": "O", "rhd_positive": False,
                                            "last_given_at": (NOW - timedelta(days=40)).isoformat(),
                                            "last_kind": "whole_blood"})
    applied(server, "joseph", donor)
    given = {"given_at": NOW.isoformat(), "kind": "whole_blood"}
    [too_soon] = server.push("joseph", op("donor.donation", donor["entity_id"], given))
    assert too_soon["status"] == "rejected"  # 40 days after whole blood: the default gap is 56
    days = {"whole_blood": 30, "double_red_cells": 112, "platelets": 7, "plasma": 28}
    applied(server, "joseph", op("blood.par_set", LOURDES, {"levels": [{**O_NEG, "par": 10}],
                                                           "pack": {"red_cells": 4, "plasma": 4, "platelets": 1},
                                                           "donation_days": days}))
    applied(server, "joseph", op("donor.donation", donor["entity_id"], given))
    assert seen(server, "maria", BLOOD_PAR_ENTITY)[LOURDES]["pack"] == {"red_cells": 4, "plasma": 4, "platelets": 1}


def test_a_pack_of_no_units_is_refused(server: Server) -> None:
    [empty] = server.push("joseph", op("blood.par_set", LOURDES, {
        "levels": [], "pack": {"red_cells": 0, "plasma": 0, "platelets": 0}}))
    assert empty["status"] == "rejected" and "at least one" in empty["reason"]
