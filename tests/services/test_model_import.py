"""An admin imports an imaging model: checked first, copied whole, used first; refused with a reason."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from emsync_desktop.ml.registry import default_models_dir
from emsync_desktop.services.model_import import (
    ModelImportRefused,
    active_imaging_model,
    imaging_models_dir,
    import_imaging_model,
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
    assert active_imaging_model(data_dir).startswith("ward_cxr ward_cxr-2026.11.23-folder (imported;")
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
