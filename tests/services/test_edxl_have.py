"""EDXL-HAVE export (valid against the official XSD) and import of a neighbouring region's report: every
bad input refused in words, nothing partly applied, imported hospitals external and never bookable."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from emsync_desktop.domain.edxl_have import EdxlHaveError
from emsync_desktop.services import edxl_have
from emsync_desktop.services.edxl_have import export_capacity_edxl, external_capacity, import_region_report
from emsync_desktop.services.edxl_have_check import MAX_REPORT_BYTES, schema_errors
from emsync_desktop.services.network import network_capacity
from emsync_desktop.store.models import ExternalHospital, Hospital

NOW = datetime(2026, 12, 5, 4, 0, tzinfo=UTC)
V1 = b"urn:oasis:names:tc:emergency:EDXL:HAVE:1.0\""


@pytest.fixture
def report(app_context: Any, tmp_path: Path) -> Path:
    """Our own network's export, standing in for a neighbouring region's report."""
    return export_capacity_edxl(app_context.store, tmp_path / "region.xml", NOW)


def _rows(store: Any) -> list[tuple[str, str, str]]:
    with store.sessions.begin() as session:
        rows = session.scalars(select(ExternalHospital).order_by(ExternalHospital.name))
        return [(r.source, r.name, r.beds) for r in rows]


def test_export_is_valid_against_the_edxl_have_1_0_schema(report: Path, app_context: Any) -> None:
    data = report.read_bytes()
    assert schema_errors(data) == []
    assert data.count(b"<have:Hospital>") == len(network_capacity(app_context.store)) > 0


def test_import_shows_the_region_as_external_and_offers_it_for_nothing(app_context: Any, report: Path) -> None:
    result = import_region_report(app_context.store, report, "Thrissur", NOW)
    external = external_capacity(app_context.store)
    assert result.hospitals == len(external) == len(network_capacity(app_context.store))
    assert all(h.external is not None and h.external.region == "Thrissur" for h in external)
    assert all(h.external is None for h in network_capacity(app_context.store))  # not in the bookable network
    assert external[0].external is not None and "read-only, as of" in external[0].external.label()


def test_a_new_report_from_the_region_replaces_its_last(app_context: Any, report: Path) -> None:
    import_region_report(app_context.store, report, "Thrissur", NOW)
    again = import_region_report(app_context.store, report, "Thrissur", NOW)
    assert again.replaced == again.hospitals == len(external_capacity(app_context.store))


def _refused(app_context: Any, path: Path, match: str) -> None:
    import_region_report(app_context.store, path.with_name("region.xml"), "Thrissur", NOW)
    before = _rows(app_context.store)
    with pytest.raises(EdxlHaveError, match=match):
        import_region_report(app_context.store, path, "Thrissur", NOW)
    assert _rows(app_context.store) == before  # the earlier import intact: nothing partly applied


def test_not_xml_is_refused(app_context: Any, report: Path) -> None:
    (bad := report.with_name("beds.csv")).write_text("hospital,unit\nLourdes,ICU\n")
    _refused(app_context, bad, "not XML")


def test_a_have_2_0_report_is_refused(app_context: Any, report: Path) -> None:
    v2 = report.read_bytes().replace(V1, b"urn:oasis:names:tc:emergency:edxl:have:2.0\"")
    (bad := report.with_name("v2.xml")).write_bytes(v2)
    _refused(app_context, bad, r"EDXL-HAVE 2\.0 report")


def test_a_huge_file_is_refused_before_it_is_read(app_context: Any, report: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (bad := report.with_name("huge.xml")).write_bytes(b" " * (MAX_REPORT_BYTES + 1))
    monkeypatch.setattr(Path, "open", lambda *_a, **_k: pytest.fail("a huge file was opened"))
    with pytest.raises(EdxlHaveError, match="at most 5 MB"):
        import_region_report(app_context.store, bad, "Thrissur", NOW)


def test_an_unknown_bed_type_is_refused_by_name(app_context: Any, report: Path) -> None:
    (bad := report.with_name("cardiac.xml")).write_bytes(report.read_bytes().replace(b">AdultICU<", b">CardiacICU<"))
    _refused(app_context, bad, "does not define: CardiacICU")


def test_a_schema_violation_is_refused_with_its_line(app_context: Any, report: Path) -> None:
    (bad := report.with_name("no-time.xml")).write_bytes(report.read_bytes().replace(b"LastUpdateTime>", b"Updated>"))
    _refused(app_context, bad, r"not follow the EDXL-HAVE 1\.0 schema: line 2: Element .Updated.: This element is not")


def test_a_document_with_entities_is_refused(app_context: Any, report: Path) -> None:
    body = report.read_bytes().split(b"?>", 1)[1].replace(b">AdultICU<", b">&x;<")
    (bad := report.with_name("dtd.xml")).write_bytes(b'<!DOCTYPE r [<!ENTITY x "AdultICU">]>' + body)
    _refused(app_context, bad, "DTD")


def test_a_failure_while_storing_leaves_the_database_unchanged(app_context: Any, report: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import_region_report(app_context.store, report, "Thrissur", NOW)
    before = _rows(app_context.store)
    real, calls = edxl_have._row, []

    def failing_row(*args: Any) -> ExternalHospital:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk gone")
        return real(*args)

    monkeypatch.setattr(edxl_have, "_row", failing_row)
    with pytest.raises(RuntimeError):
        import_region_report(app_context.store, report, "Thrissur", NOW)
    assert _rows(app_context.store) == before


def test_imported_hospitals_never_join_the_network(app_context: Any, report: Path) -> None:
    with app_context.store.sessions.begin() as session:
        hospitals = session.scalar(select(func.count()).select_from(Hospital))
    import_region_report(app_context.store, report, "Thrissur", NOW)
    with app_context.store.sessions.begin() as session:
        assert session.scalar(select(func.count()).select_from(Hospital)) == hospitals
