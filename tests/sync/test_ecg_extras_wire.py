"""A procedure's extras on the wire: an attached ECG file is its name, sha256 and size, together; an entry
without one reads exactly as before (a server not yet upgraded forbids fields it does not know)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from emsync_desktop.domain.ecg_file import MAX_ECG_BYTES
from emsync_desktop.sync.protocol import ProcedureExtras

SHA = "0f" * 32


def test_an_attached_file_is_its_name_hash_and_size() -> None:
    extras = ProcedureExtras.model_validate({"ecg_file": "ecg.pdf", "ecg_sha256": SHA, "ecg_size_bytes": 1200})
    assert extras.model_dump(exclude_none=True) == {"ecg_file": "ecg.pdf", "ecg_sha256": SHA, "ecg_size_bytes": 1200}


@pytest.mark.parametrize("bad", [
    {"ecg_file": "ecg.pdf", "ecg_sha256": SHA},  # no size
    {"ecg_file": "ecg.pdf", "ecg_size_bytes": 1200},  # no hash
    {"ecg_sha256": SHA, "ecg_size_bytes": 1200},  # no name
    {"ecg_file": "ecg.pdf", "ecg_sha256": SHA.upper(), "ecg_size_bytes": 1200},
    {"ecg_file": "ecg.pdf", "ecg_sha256": SHA[:-1], "ecg_size_bytes": 1200},
    {"ecg_file": "ecg.pdf", "ecg_sha256": SHA, "ecg_size_bytes": 0},
    {"ecg_file": "ecg.pdf", "ecg_sha256": SHA, "ecg_size_bytes": MAX_ECG_BYTES + 1},
    {"ecg_file": "ecg.pdf", "ecg_sha256": SHA, "ecg_size_bytes": True},
    {"ecg_file": "ecg.pdf", "ecg_sha256": SHA, "ecg_size_bytes": "1200"}])
def test_a_file_not_whole_or_out_of_bounds_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ProcedureExtras.model_validate(bad)


def test_extras_without_a_file_have_no_file_fields_on_the_wire() -> None:
    assert set(ProcedureExtras(energy_j=150).model_dump(mode="json")) == {
        "energy_j", "rate_per_min", "current_ma", "time_on", "ecg_file"}
