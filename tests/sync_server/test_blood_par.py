"""A blood bank's par levels on the server (issue 24): set by its own staff, the whole table, to its hospital."""

from __future__ import annotations

from typing import Any

from emsync_desktop.sync.protocol_blood import BLOOD_PAR_ENTITY
from tests.sync_server.blood_helpers import applied, seen
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
