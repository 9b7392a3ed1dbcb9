"""A ward keeps a radiograph with an incoming transfer: the study reaches the crew and the desk, the file
follows by content hash and resumes where it stopped (real server process, SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from pydicom.data import get_testdata_file
from sqlalchemy import select

from emsync_desktop.domain.ids import new_id
from emsync_desktop.ml.registry import default_models_dir
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.imaging import ImagingAnalyser, blob_path, save_study, stored_study, study_image
from emsync_desktop.store.models import ImagingStudy
from emsync_desktop.sync.blobs import send_file
from emsync_desktop.sync.http import SyncHttp
from emsync_desktop.sync.protocol import BLOB_CHUNK_BYTES, Op, OpKind
from tests.e2e.clients import demo_clients
from tests.e2e.server_process import ServerProcess

CHEST_CR = Path(get_testdata_file("RG1_UNCR.dcm"))  # type: ignore[arg-type]


@pytest.mark.slow
def test_study_and_its_file_reach_the_crew_and_the_desk(tmp_path: Path, server: ServerProcess) -> None:
    creds = server.credentials()
    with demo_clients(tmp_path, server.url, creds, "asha", "maria", "rahul") as (crew, ward, desk):
        transfer_id = crew.open_case_and_send("Cough, fever, SpO2 89 %", unit="WARD")
        assert crew.engine.run_once() and ward.engine.run_once()
        analysis = ImagingAnalyser(default_models_dir()).analyse_file(CHEST_CR)
        save_study(ward.context.store, ward.context.data_dir, ward.user, analysis, utc_now(), transfer_id)
        assert ward.engine.run_once()  # the study op, then the file
        with ward.context.store.sessions.begin() as session:
            assert session.scalars(select(ImagingStudy.blob_state)).one() == "sent"
        for client in (crew, desk):
            assert client.engine.run_once()
            with client.context.store.sessions.begin() as session:
                pulled = session.scalars(select(ImagingStudy)).one()
                assert (pulled.transfer_id, pulled.blob_state) == (transfer_id, "remote")
                assert pulled.heat_map_method == analysis.result.heat_map_method != ""
        http = SyncHttp(server.url)
        token = http.login("rahul", creds["rahul"]).access_token
        with desk.context.store.sessions.begin() as session:
            study_id = session.scalars(select(ImagingStudy.id)).one()
        opened = study_image(desk.context.data_dir, stored_study(desk.context.store, study_id),
                             lambda sha: http.get_blob(token, sha))  # the coordinator opens it
        assert np.array_equal(opened.image.pixels, analysis.image.pixels)
        assert opened.result.probabilities == pytest.approx(analysis.result.probabilities, abs=1e-4)


@pytest.mark.slow
def test_interrupted_upload_goes_on_from_where_the_server_stopped(tmp_path: Path, server: ServerProcess) -> None:
    creds = server.credentials()
    data = CHEST_CR.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    with demo_clients(tmp_path, server.url, creds, "asha") as (crew,):
        transfer_id = crew.open_case_and_send("Cough, fever, SpO2 89 %", unit="WARD")
        assert crew.engine.run_once()
    http = SyncHttp(server.url)
    token = http.login("maria", creds["maria"]).access_token
    [added] = http.push(token, [study_op(transfer_id, sha, len(data))]).results  # a file follows its study
    assert added.status == "applied", added
    http.put_blob_chunk(token, sha, 0, len(data), data[:BLOB_CHUNK_BYTES])  # then the ward PC lost power
    path = blob_path(tmp_path / "ward", sha)
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    assert send_file(http, token, path, sha, len(data)) == len(data) - BLOB_CHUNK_BYTES
    assert http.blob_status(token, sha).complete


def study_op(transfer_id: str, sha: str, size: int) -> Op:
    payload = {"transfer_id": transfer_id, "sha256": sha, "size_bytes": size, "source_name": CHEST_CR.name,
               "kind": "DICOM", "model_name": "cxr_demo", "model_version": "v1", "probabilities": {"opacity": 0.5},
               "heat_map_class": "opacity", "heat_map": [[0.5]]}
    return Op(op_id=new_id(), device_id=new_id(), device_seq=1, kind=OpKind.IMAGING_ADD, entity_id=new_id(),
              payload=payload)
