"""Case fixtures shared with the services tests, and the DB thread the sync engine tests run on."""

from collections.abc import Iterator

import pytest

from emsync_desktop.services.runner import DbRunner
from tests.services.conftest import cases, paramedic

__all__ = ["cases", "paramedic", "runner"]


@pytest.fixture
def runner() -> Iterator[DbRunner]:
    db = DbRunner()
    yield db
    db.shutdown()
