"""Bytes per case on PostgreSQL, for the capacity estimate in docs/CAPACITY.md.

Real clients against the real server on a fresh schema play whole cases: the crew stamps the timeline,
records a SAMPLE history, a drug and a procedure, sends the case (transfer, hold, SBAR handoff); the
ward reads the handoff, accepts, the crew arrives and hands over, the ward completes the transfer and
turns the bed over (cleaning, then available). Prints the ops each case produced by kind, and per table
its rows, total size (with indexes and TOAST) and bytes per row and per case.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import psycopg
import pytest

from emsync_desktop.domain.beds import BedStatus
from emsync_desktop.domain.history import SampleHistory
from emsync_desktop.domain.lifecycle import TransferState
from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.domain.roles import Role
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services.bed_board import BedBoardService
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.services.ward import WardService
from tests.bench.test_bench_cluster_holds import cluster_schema  # noqa: F401 - fixture
from tests.e2e.clients import LOURDES, Client, make_client
from tests.e2e.server_process import running_server

CASES = 200
BEFORE_SENDING = (TimelineStep.CALL_RECEIVED, TimelineStep.DISPATCHED, TimelineStep.EN_ROUTE, TimelineStep.AT_SCENE,
                  TimelineStep.AT_PATIENT)


def _crew_until_sent(crew: Client) -> str:
    cases = CaseService(crew.context.store, crew.user, crew.context.install.device_id)
    case_id = cases.open_case().id
    cases.set_detail(case_id, "chief_complaint", "Chest pain radiating to the left arm")
    cases.set_detail(case_id, "age_years", "61")
    record = RecordService(crew.context.store, crew.user)
    for step in BEFORE_SENDING:
        assert record.stamp_step(case_id, step).ok
    assert record.record_history(case_id, SampleHistory(signs_symptoms="chest pain, sweating",
                                                        events="at rest, 40 minutes ago")).ok
    assert record.record_medication(case_id, drug="aspirin", dose=300, unit="mg", route="PO").ok
    assert record.record_procedure(case_id, Procedure.CARDIOVERSION, values={Extra.ENERGY_J: 120}).ok
    TransferService(crew.context.store, crew.user).send_to_hospital(case_id, LOURDES, "WARD")
    assert record.stamp_step(case_id, TimelineStep.LEFT_SCENE).ok
    return case_id


def _one_case(crew: Client, ward: Client) -> None:
    case_id = _crew_until_sent(crew)
    assert crew.engine.run_once() and ward.engine.run_once()
    service = WardService(ward.context.store, ward.user)
    incoming = next(t for t in service.incoming() if t.state == "PENDING")
    service.acknowledge(incoming.handoff_id or "")
    service.decide(incoming.id, TransferState.ACCEPTED)
    assert ward.engine.run_once() and crew.engine.run_once()
    record = RecordService(crew.context.store, crew.user)
    assert record.stamp_step(case_id, TimelineStep.AT_DESTINATION).ok  # also marks the transfer arrived
    assert record.stamp_step(case_id, TimelineStep.HANDED_OVER).ok
    assert crew.engine.run_once() and ward.engine.run_once()
    service.decide(incoming.id, TransferState.ARRIVED)  # completes it
    assert ward.engine.run_once()
    _turn_over_a_bed(ward)


def _turn_over_a_bed(ward: Client) -> None:
    beds = BedBoardService(ward.context.store, ward.user)
    occupied = next(b for b in beds.board().beds if b.unit == "WARD" and b.status is BedStatus.OCCUPIED)
    for status in (BedStatus.CLEANING, BedStatus.AVAILABLE):  # each on the version the server gave the last
        beds.set_status(occupied.id, status)
        assert ward.engine.run_once()


def _table_sizes(db_url: str) -> list[tuple[str, int, int]]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ANALYZE")
        tables = [t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
        return sorted(((t, conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0],  # type: ignore[index]
                        conn.execute("SELECT pg_total_relation_size(%s::regclass)", [t]).fetchone()[0])  # type: ignore[index]
                       for t in tables), key=lambda r: -r[2])


def _counts(db_url: str) -> tuple[Counter[str], list[tuple[str, int, int]], int]:
    """Ops by kind, table sizes, and the cluster's WAL position in bytes (every database's writes count)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        kinds = Counter({k: n for k, n in conn.execute("SELECT kind, count(*) FROM applied_ops GROUP BY kind")})
        wal = int(conn.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn").fetchone()[0])  # type: ignore[index]
    return kinds, _table_sizes(db_url), wal


@pytest.mark.slow
def test_bytes_per_case_on_postgresql(tmp_path: Path, cluster_schema: str) -> None:  # noqa: F811
    (tmp_path / "server").mkdir()
    with running_server(tmp_path / "server", cluster_schema) as server:
        creds = server.credentials()
        crew = make_client(tmp_path / "amb", Role.PARAMEDIC, server.url, "asha", creds["asha"])
        ward = make_client(tmp_path / "ward", Role.NURSE, server.url, "maria", creds["maria"])
        try:
            assert crew.engine.run_once() and ward.engine.run_once()
            kinds_before, sizes_before, wal_before = _counts(cluster_schema)
            for _ in range(CASES):
                _one_case(crew, ward)
            kinds_after, sizes_after, wal_after = _counts(cluster_schema)
        finally:
            crew.close()
            ward.close()
    _report(kinds_after - kinds_before, sizes_before, sizes_after)
    print(f"    WAL: {(wal_after - wal_before) / CASES / 1024:.1f} KiB per case (the whole PostgreSQL cluster's: "
          "meaningful only when nothing else writes to it)")


def _report(kinds: Counter[str], before: list[tuple[str, int, int]], after: list[tuple[str, int, int]]) -> None:
    print(f"\n[postgresql] {CASES} whole cases: {sum(kinds.values()) / CASES:.1f} ops per case: "
          + ", ".join(f"{k} {n / CASES:g}" for k, n in kinds.most_common()))
    start = {t: (rows, size) for t, rows, size in before}
    total = 0
    for table, rows, size in after:
        rows_added, bytes_added = rows - start[table][0], size - start[table][1]
        if rows_added <= 0:
            continue
        total += bytes_added
        print(f"    {table:<20} +{rows_added:>5} rows ({rows_added / CASES:.1f}/case)  +{bytes_added / 1024:>6.0f} KiB "
              f"{bytes_added / rows_added:>6.0f} B/row  {bytes_added / CASES:>6.0f} B/case   (now {rows} rows, "
              f"{size / 1024:.0f} KiB)")
    print(f"    all tables: {total / CASES / 1024:.1f} KiB per case (growth of total relation size)")
