"""An admin imports an imaging model: checked first, copied whole, used first; refused with a reason."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from emsync_desktop.ml.registry import default_models_dir
from emsync_desktop.services.model_import import (
    NO_MANIFEST,
    ModelImportRefused,
    active_imaging_model,
    active_model_evidence,
    imaging_models_dir,
    import_again_aware,
    import_imaging_model,
    model_evidence,
)
from tests.ml.signing_keys import sign_with_test_key, trust_test_key


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A model folder as a hospital's training run leaves it: the shipped model, renamed."""
    folder = tmp_path / "from_training"
    shutil.copytree(default_models_dir(), folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["imaging"]["models"][0] |= {"name": "ward_cxr", "version": "ward_cxr-2026.11.23-folder",
                                         "demonstration": False}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    trust_test_key(tmp_path / "data")
    return sign_with_test_key(folder)


def test_imported_model_is_used_first(tmp_path: Path, source: Path) -> None:
    data_dir = tmp_path / "data"
    assert imaging_models_dir(data_dir) == default_models_dir()
    entry = import_imaging_model(source, data_dir)
    assert imaging_models_dir(data_dir) == data_dir / "models"
    assert (data_dir / "models" / entry["file"]).read_bytes() == (source / entry["file"]).read_bytes()
    assert active_imaging_model(data_dir).startswith("ward_cxr, version 2026.11.23-folder — imported on this PC")
    assert "Parity with keras" in active_imaging_model(data_dir)  # measured here on the maker's 8 references
    assert (data_dir / "models" / "cxr_demo.ref-0.png").exists()


def test_model_whose_answers_differ_from_its_makers_reference_outputs_is_refused(tmp_path: Path,
                                                                                  source: Path) -> None:
    reference = json.loads((source / "cxr_demo.reference.json").read_text())
    reference["samples"][3]["probabilities"] = reference["samples"][3]["probabilities"][::-1]
    (source / "cxr_demo.reference.json").write_text(json.dumps(reference))
    manifest = json.loads((source / "manifest.json").read_text())
    manifest["imaging"]["models"][0]["reference"]["sha256"] = hashlib.sha256(
        (source / "cxr_demo.reference.json").read_bytes()).hexdigest()
    (source / "manifest.json").write_text(json.dumps(manifest))
    sign_with_test_key(source)  # a consistent, signed folder: only the answers disagree
    with pytest.raises(ModelImportRefused, match="differs from its maker's reference output by"):
        import_imaging_model(source, tmp_path / "data")
    assert not (tmp_path / "data" / "models").exists()


def test_model_whose_file_differs_from_its_manifest_is_refused_and_nothing_copied(tmp_path: Path,
                                                                                   source: Path) -> None:
    entry = json.loads((source / "manifest.json").read_text())["imaging"]["models"][0]
    model_file = source / entry["file"]
    model_file.write_bytes(model_file.read_bytes() + b"\0")
    with pytest.raises(ModelImportRefused, match="does not match its manifest"):
        import_imaging_model(source, tmp_path / "data")
    assert not (tmp_path / "data" / "models").exists()


def test_folder_without_an_imaging_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"schema": 1, "triage": {}}))
    with pytest.raises(ModelImportRefused, match="has no imaging model"):
        import_imaging_model(tmp_path, tmp_path / "data")


def test_manifest_naming_files_outside_its_folder_is_refused(tmp_path: Path, source: Path) -> None:
    manifest = json.loads((source / "manifest.json").read_text())
    entry = manifest["imaging"]["models"][0]
    shutil.copy(source / entry["cam_weights"]["file"], tmp_path / "outside.npy")
    entry["cam_weights"]["file"] = "../outside.npy"
    (source / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelImportRefused, match="outside its folder"):
        import_imaging_model(source, tmp_path / "data")


def test_folder_without_a_manifest_says_to_choose_the_folder_the_export_wrote(tmp_path: Path) -> None:
    (tmp_path / "somewhere").mkdir()
    with pytest.raises(ModelImportRefused) as refused:
        import_imaging_model(tmp_path / "somewhere", tmp_path / "data")
    assert str(refused.value) == NO_MANIFEST and "Reinstall" not in str(refused.value)


def test_importing_the_same_name_and_version_again_says_it_was_already_installed(tmp_path: Path,
                                                                                 source: Path) -> None:
    assert import_again_aware(source, tmp_path / "data")[1] is False
    assert import_again_aware(source, tmp_path / "data")[1] is True


def test_model_without_held_out_metrics_or_parity_carries_an_evidence_note() -> None:
    entry = {"metrics": {"test": {"auroc": 0.9}}}
    assert model_evidence(entry, {"max_abs_difference": 0.0, "images": 8}) == ""
    assert "not evaluated on held-out data" in model_evidence({}, {"images": 8})
    assert "reference outputs" in model_evidence(entry, None) and "held-out" not in model_evidence(entry, None)


def test_parity_measured_at_import_counts_as_recorded(tmp_path: Path, source: Path) -> None:
    data_dir = tmp_path / "data"
    import_imaging_model(source, data_dir)  # the shipped model's copy: held-out metrics and 8 references
    assert active_model_evidence(imaging_models_dir(data_dir)) == ""
    assert active_model_evidence(default_models_dir()) == ""  # the demo: its own caution box is enough


def test_admin_reads_who_signed_the_model_by_the_name_they_gave_the_key(tmp_path: Path, source: Path) -> None:
    data_dir = tmp_path / "data"
    assert "Signed by the EMsync project key." in active_imaging_model(data_dir)
    import_imaging_model(source, data_dir)
    assert "Signed by Test vendor (key " in active_imaging_model(data_dir)
    assert "trusted by test-admin on 2026-12-05" in active_imaging_model(data_dir)


def test_admin_reads_which_heat_map_nurses_get_and_the_version_once(tmp_path: Path) -> None:
    text = active_imaging_model(tmp_path / "data")
    assert text.startswith("cxr_demo, version 2026.11.23-synthetic — shipped with EMsync")
    assert "Heat map for nurses: class activation map" in text and "((" not in text and "))" not in text
