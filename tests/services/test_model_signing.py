"""Signed models: unsigned, tampered or untrusted models are refused with a reason; an admin can trust
a vendor's key explicitly; the shipped model is signed by the project's key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emsync_desktop.ml.imaging import ImagingModel
from emsync_desktop.ml.registry import default_models_dir, load_manifest
from emsync_desktop.ml.signing import TrustedKeys, UntrustedModel, check_signature, fingerprint, project_keys
from emsync_desktop.services.model_import import ModelImportRefused, import_imaging_model
from emsync_desktop.services.model_trust import admin_trusted_keys
from tests.ml.onnx_models import classifier_onnx, classifier_weights, write_model_folder
from tests.ml.signing_keys import TEST_PUBLIC_KEY, sign_with_test_key, trust_test_key

CONTRACT = {"input": {"channels": 3, "height": 32, "width": 32, "layout": "NCHW"},
            "output": {"name": "logits", "activation": "logits-softmax"}}


def vendor_folder(tmp_path: Path, signed: bool = True) -> Path:
    return write_model_folder(tmp_path / "vendor", classifier_onnx(classifier_weights(), 32, 32),
                              classes=["NORMAL", "PNEUMONIA"], contract=CONTRACT, signed=signed)


def test_shipped_model_is_signed_by_the_project_key() -> None:
    entry = load_manifest(default_models_dir())["imaging"]["models"][0]
    assert check_signature(entry, TrustedKeys(project_keys())) in project_keys()


def test_unsigned_model_is_refused_even_when_the_admin_trusts_keys(tmp_path: Path) -> None:
    with pytest.raises(ModelImportRefused, match="is not signed, so it is refused") as refused:
        import_imaging_model(vendor_folder(tmp_path, signed=False), trust_test_key(tmp_path / "data"))
    assert refused.value.untrusted_key is None and not (tmp_path / "data" / "models").exists()


def test_model_signed_by_an_unknown_key_is_refused_with_its_fingerprint_until_an_admin_trusts_it(
        tmp_path: Path) -> None:
    source, data_dir = vendor_folder(tmp_path), tmp_path / "data"
    with pytest.raises(ModelImportRefused, match=fingerprint(TEST_PUBLIC_KEY)) as refused:
        import_imaging_model(source, data_dir)
    assert refused.value.untrusted_key == TEST_PUBLIC_KEY
    trust_test_key(data_dir)
    assert import_imaging_model(source, data_dir)["name"] == "tiny_cxr"
    assert admin_trusted_keys(data_dir)[0]["trusted_by"] == "test-admin"


def test_flipped_byte_with_a_rehashed_manifest_is_refused(tmp_path: Path) -> None:
    """The attack the issue names: change the model, put its new hash in the manifest."""
    import hashlib

    source = vendor_folder(tmp_path)
    model = bytearray((source / "tiny_cxr.onnx").read_bytes())
    model[-5] ^= 0x01
    (source / "tiny_cxr.onnx").write_bytes(model)
    manifest = json.loads((source / "manifest.json").read_text())
    manifest["imaging"]["models"][0]["sha256"] = hashlib.sha256(model).hexdigest()
    (source / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelImportRefused, match="changed after it was signed"):
        import_imaging_model(source, trust_test_key(tmp_path / "data"))


def test_imported_model_whose_entry_is_edited_on_disk_afterwards_is_not_used(tmp_path: Path) -> None:
    data_dir = trust_test_key(tmp_path / "data")
    import_imaging_model(vendor_folder(tmp_path), data_dir)
    path = data_dir / "models" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["imaging"]["models"][0]["classes"] = ["PNEUMONIA", "NORMAL"]  # labels swapped: answers inverted
    path.write_text(json.dumps(manifest))
    with pytest.raises(UntrustedModel, match="changed after it was signed"):
        ImagingModel(data_dir / "models", manifest["imaging"]["models"][0], TrustedKeys(frozenset({TEST_PUBLIC_KEY})))


def test_signing_refuses_a_folder_whose_files_do_not_match(tmp_path: Path) -> None:
    from emsync_desktop.ml.registry import ModelUnavailable

    source = vendor_folder(tmp_path)
    (source / "tiny_cxr.onnx").write_bytes(b"other")
    before = (source / "manifest.json").read_text()
    with pytest.raises(ModelUnavailable, match="does not match its manifest"):
        sign_with_test_key(source)
    assert (source / "manifest.json").read_text() == before


def test_release_check_passes_the_shipped_models_and_fails_a_copy_signed_by_another_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    from emsync_desktop.ml.sign import main as sign_main

    assert sign_main(["verify", "--models", str(default_models_dir())]) == 0
    copy = shutil.copytree(default_models_dir(), tmp_path / "models")
    sign_with_test_key(copy)
    assert sign_main(["verify", "--models", str(copy)]) == 1
    assert fingerprint(TEST_PUBLIC_KEY) in capsys.readouterr().err


def test_a_model_signed_by_a_key_no_longer_trusted_is_refused(tmp_path: Path) -> None:
    from emsync_desktop.services.imaging import ImagingAnalyser
    from emsync_desktop.services.model_trust import stop_trusting

    data_dir = trust_test_key(tmp_path / "data")
    import_imaging_model(vendor_folder(tmp_path), data_dir)
    assert stop_trusting(data_dir, fingerprint(TEST_PUBLIC_KEY)) and admin_trusted_keys(data_dir) == []
    with pytest.raises(UntrustedModel, match="does not trust"):
        ImagingAnalyser(data_dir, install=True).model()
