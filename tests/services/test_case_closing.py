"""A case ends with a disposition or, opened by mistake and never sent, is discarded; nothing is deleted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from emsync_desktop.domain.disposition import Disposition
from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_closing import CaseClosing, CaseNotEnded
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.store.models import Encounter


def test_closed_case_leaves_the_active_list_but_is_found_by_search(app_context: AppContext, cases: CaseService,
                                                                    paramedic: UserInfo) -> None:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Hypoglycaemia")
    closed = CaseClosing(app_context.store, paramedic).close(case.id, Disposition.TREATED_ON_SCENE)
    assert closed.ended == "Closed: Treated on scene, not transported" and closed.closed_at is not None
    assert cases.search() == []
    [found] = cases.search("hypogly")
    assert found.transfer_text == "Closed: Treated on scene, not transported"


def test_case_going_to_a_hospital_closes_only_as_handed_over(app_context: AppContext, cases: CaseService,
                                                             paramedic: UserInfo) -> None:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Chest pain")
    TransferService(app_context.store, paramedic).send_to_hospital(case.id, demo_id("hospital", "Lourdes"), "ICU")
    closing = CaseClosing(app_context.store, paramedic)
    with pytest.raises(CaseNotEnded, match="still going to Lourdes ICU"):
        closing.close(case.id, Disposition.REFUSED_CARE)
    assert closing.close(case.id, Disposition.HANDED_OVER).status == "closed"


def test_discarding_keeps_the_row_and_who_did_it_and_refuses_a_sent_case(app_context: AppContext,
                                                                         cases: CaseService,
                                                                         paramedic: UserInfo) -> None:
    mistake, sent = cases.open_case(), cases.open_case()
    cases.set_detail(sent.id, "chief_complaint", "Fall")
    TransferService(app_context.store, paramedic).send_to_hospital(sent.id, demo_id("hospital", "Lourdes"), "WARD")
    closing = CaseClosing(app_context.store, paramedic)
    closing.discard(mistake.id)
    with pytest.raises(CaseNotEnded, match="part of the record"):
        closing.discard(sent.id)
    with app_context.store.sessions.begin() as session:
        row = session.get(Encounter, mistake.id)
        assert row is not None and (row.status, row.closed_by) == ("discarded", paramedic.id)
        assert len(session.scalars(select(Encounter)).all()) == 2
    assert [c.id for c in cases.search()] == [sent.id]


def test_a_reopened_case_is_active_again(app_context: AppContext, cases: CaseService, paramedic: UserInfo) -> None:
    case = cases.open_case()
    closing = CaseClosing(app_context.store, paramedic)
    closing.close(case.id, Disposition.CANCELLED)
    assert closing.reopen(case.id).ended is None and [c.id for c in cases.search()] == [case.id]
