from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest

from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
# The start and end of a PDF: what a monitor's export begins with is what the service checks.
ECG_PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@contextmanager
def ecg_on_a_stick(name: str = "ecg-1522.pdf", data: bytes = ECG_PDF) -> Iterator[Path]:
    """A 12-lead export on removable media: gone once the block ends (recording must have copied it)."""
    with TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        yield path


@pytest.fixture
def paramedic(app_context: AppContext) -> UserInfo:
    return next(u for u in demo_users(app_context.store) if u.role is Role.PARAMEDIC)


@pytest.fixture
def cases(app_context: AppContext, paramedic: UserInfo) -> CaseService:
    return CaseService(app_context.store, paramedic, app_context.install.device_id, clock=lambda: NOW)


@pytest.fixture
def record(app_context: AppContext, paramedic: UserInfo) -> RecordService:
    return RecordService(app_context.store, paramedic, clock=lambda: NOW, blob_dir=app_context.data_dir / "blobs")

