from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.roles import Role
from emsync_desktop.ml.image_io import ImageRefused, load_image
from emsync_desktop.ml.imaging import ImagingResult
from emsync_desktop.ml.registry import ModelUnavailable, default_models_dir
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.imaging import (
    Analysis,
    ImagingAnalyser,
    blob_path,
    explain,
    recent_studies,
    save_study,
    stored_study,
    study_image,
)
from emsync_desktop.sync.outbox import pending_ops
from tests.services.conftest import NOW


def picture(tmp_path: Path) -> Path:
    path = tmp_path / "film.png"
    Image.fromarray(np.random.default_rng(2).integers(0, 255, (200, 180), dtype=np.uint8)).save(path)
    return path


def test_same_file_twice_is_two_studies_and_one_stored_file(app_context: AppContext, tmp_path: Path) -> None:
    nurse = next(u for u in demo_users(app_context.store) if u.role is Role.NURSE)
    analysis = ImagingAnalyser(default_models_dir()).analyse_file(picture(tmp_path))
    for _ in range(2):
        save_study(app_context.store, app_context.data_dir, nurse, analysis, NOW)
    studies = recent_studies(app_context.store)
    assert len(studies) == 2 and studies[0].model_version == analysis.result.model_version
    stored = blob_path(app_context.data_dir, analysis.image.sha256)
    assert stored.read_bytes() == picture(tmp_path).read_bytes()
    assert len(list(stored.parent.iterdir())) == 1


def test_analyser_reports_the_file_or_the_model_that_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(ImageRefused):
        ImagingAnalyser(default_models_dir()).analyse_file(tmp_path / "missing.dcm")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "manifest.json").write_text('{"schema": 1}')
    with pytest.raises(ModelUnavailable, match="No imaging model is installed"):
        ImagingAnalyser(tmp_path / "models").analyse_file(picture(tmp_path))


def test_stored_study_is_shown_as_recorded_and_a_missing_file_fetched_and_checked(
        app_context: AppContext, tmp_path: Path) -> None:
    nurse = next(u for u in demo_users(app_context.store) if u.role is Role.NURSE)
    path = picture(tmp_path)
    analysis = ImagingAnalyser(default_models_dir()).analyse_file(path)
    study = stored_study(app_context.store, save_study(app_context.store, app_context.data_dir, nurse, analysis, NOW))
    assert study.result.probabilities == pytest.approx(analysis.result.probabilities, abs=1e-4)
    assert study.result.demonstration and np.isnan(study.result.inference_ms)
    elsewhere = tmp_path / "other_pc"
    with pytest.raises(ValueError, match="not connected"):
        study_image(elsewhere, study, None)
    with pytest.raises(ValueError, match="does not match its study"):
        study_image(elsewhere, study, lambda _sha: b"not the file")
    shown = study_image(elsewhere, study, lambda _sha: path.read_bytes())
    assert np.array_equal(shown.image.pixels, analysis.image.pixels)
    assert blob_path(elsewhere, study.sha256).read_bytes() == path.read_bytes()


def test_file_changed_after_analysis_is_not_kept_under_the_old_hash(app_context: AppContext, tmp_path: Path) -> None:
    nurse = next(u for u in demo_users(app_context.store) if u.role is Role.NURSE)
    path = picture(tmp_path)
    analysis = ImagingAnalyser(default_models_dir()).analyse_file(path)
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(ValueError, match="changed after it was analysed"):
        save_study(app_context.store, app_context.data_dir, nurse, analysis, NOW)
    assert recent_studies(app_context.store) == []
    assert not blob_path(app_context.data_dir, analysis.image.sha256).exists()


def test_failures_are_explained_for_the_nurse_with_the_technical_text_apart(tmp_path: Path) -> None:
    notes = tmp_path / "notes.dcm"
    notes.write_text("patient notes")
    with pytest.raises(ImageRefused) as refused:
        ImagingAnalyser(default_models_dir()).analyse_file(notes)
    problem = explain(refused.value)
    assert problem.message == "This file is not a readable X-ray image." and "DICM" in problem.details
    model = explain(ModelUnavailable("No model manifest at /opt/emsync/models/manifest.json."))
    assert model.message == "The X-ray model is not available on this computer." and "/opt" in model.details
    crash = explain(RuntimeError("onnxruntime: bad alloc"))
    assert "could not be analysed" in crash.message and "RuntimeError: onnxruntime" in crash.details


def test_thresholds_and_heat_map_method_are_kept_with_the_study_and_sent(app_context: AppContext,
                                                                          tmp_path: Path) -> None:
    """A multi-label study reads the same on another PC and after the model changes: it keeps its thresholds."""
    nurse = next(u for u in demo_users(app_context.store) if u.role is Role.NURSE)
    path = picture(tmp_path)
    result = ImagingResult({"Effusion": 0.7, "Nodule": 0.2}, np.full((4, 4), 0.5, np.float32), "Effusion", "chexnet",
                           "chexnet-1", False, 30.0, 500.0, {"Effusion": 0.6, "Nodule": 0.35},
                           "Occlusion map, 4×4 grid, 16 passes in 0.50 s (budget 0.7 s)")
    study_id = save_study(app_context.store, app_context.data_dir, nurse, Analysis(path, load_image(path), result),
                          NOW, transfer_id=new_id())
    stored = stored_study(app_context.store, study_id).result
    assert stored.thresholds == {"Effusion": 0.6, "Nodule": 0.35}
    assert stored.heat_map_method == result.heat_map_method
    with app_context.store.sessions.begin() as session:
        payload = pending_ops(session, "device", 10)[-1].payload
    assert payload["thresholds"] == {"Effusion": 0.6, "Nodule": 0.35}
    assert payload["heat_map_method"].startswith("Occlusion map, 4×4")


def test_analysis_carries_what_is_not_known_about_an_imported_model(tmp_path: Path) -> None:
    from tests.ml.onnx_models import classifier_onnx, classifier_weights, write_model_folder

    folder = write_model_folder(tmp_path / "vendor", classifier_onnx(classifier_weights(), 32, 32),
                                classes=["NORMAL", "PNEUMONIA"],
                                contract={"input": {"channels": 3, "height": 32, "width": 32, "layout": "NCHW"},
                                          "output": {"name": "logits", "activation": "logits-softmax"}})
    from emsync_desktop.services.model_import import import_imaging_model
    from tests.ml.signing_keys import trust_test_key

    data_dir = trust_test_key(tmp_path / "data")
    import_imaging_model(folder, data_dir)
    evidence = ImagingAnalyser(data_dir, install=True).analyse_file(picture(tmp_path)).evidence
    assert "not evaluated on held-out data" in evidence and "reference outputs" in evidence
    assert ImagingAnalyser(default_models_dir()).analyse_file(picture(tmp_path)).evidence == ""


def test_a_fine_heat_map_is_kept_at_most_64_cells_a_side_so_it_can_be_sent(app_context: AppContext,
                                                                            tmp_path: Path) -> None:
    """A vendor model's feature maps may be 148 × 148: the study op allows 64 × 64."""
    nurse = next(u for u in demo_users(app_context.store) if u.role is Role.NURSE)
    path = picture(tmp_path)
    heat = np.random.default_rng(3).random((148, 120)).astype(np.float32)
    result = ImagingResult({"a": 0.3, "b": 0.7}, heat, "b", "m", "m-1", False, 1.0, 1.0, None, "Class activation map")
    study_id = save_study(app_context.store, app_context.data_dir, nurse, Analysis(path, load_image(path), result),
                          NOW, transfer_id=new_id())
    stored = stored_study(app_context.store, study_id).result.heat_map
    assert stored.shape == (64, 52) and stored.min() >= 0.0 and stored.max() <= 1.0
