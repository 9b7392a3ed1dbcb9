from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def paramedic(app_context: AppContext) -> UserInfo:
    return next(u for u in demo_users(app_context.store) if u.role is Role.PARAMEDIC)


@pytest.fixture
def cases(app_context: AppContext, paramedic: UserInfo) -> CaseService:
    return CaseService(app_context.store, paramedic, app_context.install.device_id, clock=lambda: NOW)


@pytest.fixture
def record(app_context: AppContext, paramedic: UserInfo) -> RecordService:
    return RecordService(app_context.store, paramedic, clock=lambda: NOW)


@pytest.fixture
def kochi_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times read in Kochi: IST, UTC+05:30 (NOW, 10:00 UTC, is 15:30 there)."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
