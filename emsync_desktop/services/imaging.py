"""Chest X-ray analysis use cases: open and analyse a file, keep the study, list studies.

Threading: ``ImagingAnalyser.analyse_file`` reads, decodes and infers: a background worker (never the
GUI thread, never the DB thread, which must stay free for saving what people type). ``save_study``
and ``recent_studies`` run on the DB thread. Transactions: the file is copied into the content store
(``<data dir>/blobs/ab/abcd…``, atomic) before the study row is written in one transaction, so a study
never points at a missing file; a copied file with no row (a crash between the two) is harmless.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from sqlalchemy import select

from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.ml.image_io import ImageRefused, LoadedImage, load_image
from emsync_desktop.ml.imaging import ImagingModel, ImagingResult
from emsync_desktop.ml.registry import ModelUnavailable
from emsync_desktop.services.exports import write_atomically
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import ImagingStudy
from emsync_desktop.sync.blobs import BLOBS_DIR, blob_file
from emsync_desktop.sync.outbox import enqueue
from emsync_desktop.sync.protocol import ImagingAddPayload, OpKind


@dataclass(frozen=True)
class Analysis:
    path: Path
    image: LoadedImage
    result: ImagingResult
    evidence: str = ""  # for the nurse: what is not known about the model (no held-out test, no parity); "" if none


@dataclass(frozen=True)
class StudySummary:
    id: str
    source_name: str
    created_at: datetime
    top_class: str
    probability: float
    model_version: str
    sync: str  # for people: "on this PC only", "waiting to send", "sent", "refused: …"


@dataclass(frozen=True)
class Problem:
    """A failure as the nurse reads it: what went wrong and what to do, with the technical text apart
    (shown only when asked for, for IT)."""

    message: str
    advice: str = ""
    details: str = ""


def explain(error: BaseException) -> Problem:
    """Any thread. What to tell the nurse when opening, analysing or saving a study failed."""
    if isinstance(error, ImageRefused):
        return Problem(error.message, error.advice, error.details)
    if isinstance(error, ModelUnavailable):
        return Problem("The X-ray model is not available on this computer.",
                       "Ask an administrator to install or import it (Admin → Models).", str(error))
    if isinstance(error, ValueError):  # this module's own refusals, already in words for people
        return Problem(str(error))
    return Problem("The X-ray could not be analysed on this computer.",
                   "Try again. If it fails again, tell IT and show them the details.",
                   f"{type(error).__name__}: {error}")


class ImagingAnalyser:
    """Loads the model on first use (onnxruntime is heavy) and analyses one file at a time.

    ``source`` is a models folder (its models trusted if signed by the project's keys), or an install's
    data dir: then its imported models if any, else the shipped ones, trusted as that install's admins
    decided (``model_trust``); resolved on first use, on the worker."""

    def __init__(self, source: Path, *, install: bool = False) -> None:
        self._source = source
        self._install = install
        self._model: ImagingModel | None = None
        self.evidence = ""  # set with the model: ``model_import.model_evidence`` of the model in use
        self._lock = threading.Lock()

    def model(self) -> ImagingModel:
        """Raises ``ModelUnavailable`` with a reason when no verified imaging model is installed."""
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self) -> ImagingModel:
        from emsync_desktop.services.model_import import active_model_evidence, imaging_models_dir
        from emsync_desktop.services.model_trust import trusted_keys

        folder = imaging_models_dir(self._source) if self._install else self._source
        model = ImagingModel.default(folder, trusted_keys(self._source) if self._install else None)
        self.evidence = active_model_evidence(folder)
        return model

    def analyse_file(self, path: Path) -> Analysis:
        """Raises ``ImageRefused`` (the file) or ``ModelUnavailable`` (the model), each saying what to do."""
        image = load_image(path)
        model = self.model()
        with self._lock:
            result = model.analyse(image)
        return Analysis(path, image, result, self.evidence)


MAX_HEAT_MAP_SIDE = 64  # what a study's record carries (and imaging.add allows); the overlay is smooth anyway


def storable_heat_map(heat: np.ndarray) -> np.ndarray:
    """The heat map at most ``MAX_HEAT_MAP_SIDE`` cells on a side (a model's feature maps may be finer),
    its aspect kept, values still 0..1."""
    if heat.size == 0 or max(heat.shape) <= MAX_HEAT_MAP_SIDE:
        return heat
    from emsync_desktop.ml.preprocess import resize

    scale = MAX_HEAT_MAP_SIDE / max(heat.shape)
    height, width = max(1, round(heat.shape[0] * scale)), max(1, round(heat.shape[1] * scale))
    return np.clip(resize(np.asarray(heat, dtype=np.float32), width, height, "area"), 0.0, 1.0)


def blob_path(data_dir: Path, sha256: str) -> Path:
    return blob_file(data_dir / BLOBS_DIR, sha256)


def save_study(store: Store, data_dir: Path, user: UserInfo, analysis: Analysis, now: datetime,
               transfer_id: str | None = None) -> str:
    """Keep the file by content and record the study; returns its id. Raises ValueError if the file
    changed after it was analysed (the study would point at other content)."""
    target = blob_path(data_dir, analysis.image.sha256)
    if not target.exists():
        data = analysis.path.read_bytes()
        if hashlib.sha256(data).hexdigest() != analysis.image.sha256:
            raise ValueError(f"{analysis.path.name} changed after it was analysed: open it again.")
        write_atomically(target, data)
    result = analysis.result
    heat_map = [[round(float(v), 4) for v in row] for row in storable_heat_map(result.heat_map)]
    size = target.stat().st_size
    study = ImagingStudy(
        id=new_id(), transfer_id=transfer_id, source_sha256=analysis.image.sha256,
        source_name=analysis.path.name[:256], kind=analysis.image.kind, modality=analysis.image.modality,
        description=analysis.image.description, model_name=result.model_name, model_version=result.model_version,
        probabilities=json.dumps(result.probabilities), heat_map_class=result.heat_map_class,
        heat_map=json.dumps(heat_map), created_by=user.id, created_at=now, size_bytes=size,
        demonstration=result.demonstration, heat_map_method=result.heat_map_method,
        thresholds=json.dumps(result.thresholds) if result.thresholds else None,
        sync_state="pending" if transfer_id else "local", sync_reason=None,
        blob_state="to_send" if transfer_id else "here")
    with store.sessions.begin() as session:
        session.add(study)
        if transfer_id:  # kept with a transfer: it goes to everyone who sees the transfer, the file after
            payload = ImagingAddPayload(
                transfer_id=transfer_id, sha256=study.source_sha256, size_bytes=size, source_name=study.source_name,
                kind=study.kind, modality=study.modality[:16], description=study.description[:500],  # type: ignore[arg-type]
                model_name=study.model_name, model_version=study.model_version, probabilities=result.probabilities,
                heat_map_class=study.heat_map_class, heat_map=heat_map, demonstration=result.demonstration,
                thresholds=result.thresholds, heat_map_method=result.heat_map_method[:200])
            enqueue(session, user_id=user.id, kind=OpKind.IMAGING_ADD, entity_id=study.id, now=now, payload=payload)
    return study.id


@dataclass(frozen=True)
class StoredStudy:
    id: str
    sha256: str
    source_name: str
    kind: str
    description: str
    result: ImagingResult  # as recorded when it was analysed (not run again)


def stored_study(store: Store, study_id: str) -> StoredStudy:
    """DB thread. The study as recorded, results included."""
    with store.sessions.begin() as session:
        row = session.get(ImagingStudy, study_id)
        if row is None:
            raise ValueError("This study is no longer on this PC.")
        result = ImagingResult(json.loads(row.probabilities), np.asarray(json.loads(row.heat_map), dtype=np.float32),
                               row.heat_map_class, row.model_name, row.model_version,
                               row.demonstration, float("nan"), float("nan"),
                               json.loads(row.thresholds) if row.thresholds else None, row.heat_map_method)
        return StoredStudy(row.id, row.source_sha256, row.source_name, row.kind, row.description, result)


def study_image(data_dir: Path, study: StoredStudy, fetch: Callable[[str], bytes] | None) -> Analysis:
    """Background thread. The study's image from this PC, else fetched from the sync server (checked
    against its sha256, then kept here like any other)."""
    path = blob_path(data_dir, study.sha256)
    if not path.exists():
        if fetch is None:
            raise ValueError("The image is on the sync server and this PC is not connected to it: connect and "
                             "try again.")
        data = fetch(study.sha256)
        if hashlib.sha256(data).hexdigest() != study.sha256:
            raise ValueError("The image from the server does not match its study (sha256); not shown.")
        write_atomically(path, data)
    return Analysis(path.with_name(study.source_name), load_image(path), study.result)


def recent_studies(store: Store, limit: int = 20) -> list[StudySummary]:
    with store.sessions.begin() as session:
        rows = session.scalars(select(ImagingStudy).order_by(ImagingStudy.created_at.desc()).limit(limit)).all()
        summaries = []
        for row in rows:
            probabilities: dict[str, float] = json.loads(row.probabilities)
            top = max(probabilities, key=lambda c: probabilities[c])
            summaries.append(StudySummary(row.id, row.source_name, row.created_at, top, probabilities[top],
                                          row.model_version, _sync_text(row)))
        return summaries


def _sync_text(row: ImagingStudy) -> str:
    if row.sync_state in ("rejected", "conflict"):
        return f"refused: {row.sync_reason}"
    if row.sync_state == "local":
        return "on this PC only"
    if row.blob_state == "unsendable":
        return row.sync_reason or "image not sent"
    if row.blob_state == "remote":
        return "from another workstation (image on the server)"
    return "sent with the transfer" if row.blob_state == "sent" and row.sync_state == "synced" else "waiting to send"
