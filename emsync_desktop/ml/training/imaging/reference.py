"""Reference outputs: what the source framework says for a few image files, with the declared
preprocessing done INDEPENDENTLY in TensorFlow, written beside the model so that anyone (the app at import,
an auditor) can check the app's own numpy preprocessing + onnxruntime against it.

``write_reference`` writes ``<name>.ref-<i>.png`` (8-bit grey) and ``<name>.reference.json``::

    {"framework": "keras 3.x / tensorflow 2.x", "how": "<one sentence>",
     "samples": [{"file": "<name>.ref-0.png", "sha256": "<hex>", "probabilities": [.. in classes order]}]}

then measures the app's path on the same files (``image_io.load_image`` → ``ImagingModel.analyse``) and
records ``entry["reference"]`` and ``entry["parity"]``. It refuses (``ExportRefused``) above
``MAX_DIFFERENCE``: then the declared preprocessing is not what TensorFlow does, and the app would feed the
model something else than it was trained on.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from emsync_desktop.ml.contract import ImagingContract, parse_contract
from emsync_desktop.ml.training.imaging.refused import ExportRefused

MAX_DIFFERENCE = 1e-3
REFERENCE_WIDTH, REFERENCE_HEIGHT = 208, 176  # not a model's size, so resizing is exercised; PNGs stay < 30 KB
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg")
TF_RESIZE = {"nearest": ("nearest", False), "bilinear": ("bilinear", True), "bicubic": ("bicubic", True),
             "bilinear-no-antialias": ("bilinear", False), "area": ("area", False)}


def synthetic_pngs(count: int, seed: int = 20261205) -> list[bytes]:
    """``count`` synthetic radiograph-like images, 8-bit grey PNG, REFERENCE_WIDTH × REFERENCE_HEIGHT."""
    from PIL import Image

    from emsync_desktop.ml.training.imaging.synthetic import generate

    images = generate(count, REFERENCE_WIDTH, seed).images[:, :REFERENCE_HEIGHT, :, 0]
    return [_png(Image.fromarray(np.round(image * 255).astype(np.uint8))) for image in images]


def folder_pngs(folder: Path, count: int) -> list[bytes]:
    """The first ``count`` PNG/JPEG files of ``folder`` (by name), each as an 8-bit grey PNG."""
    from PIL import Image

    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in PICTURE_SUFFIXES) if folder.is_dir() else []
    if not paths:
        raise ExportRefused(f"No PNG or JPEG file in {folder}: give --reference-images a folder of images, or "
                            "leave it out to use synthetic ones.")
    pngs = []
    for path in paths[:count]:
        try:
            with Image.open(path) as image:
                pngs.append(_png(image.convert("L")))
        except (OSError, ValueError) as exc:
            raise ExportRefused(f"The reference image {path.name} cannot be read ({exc}): remove it from "
                                f"{folder}.") from exc
    return pngs


def _png(image: Any) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def tf_preprocess(png: bytes, contract: ImagingContract) -> Any:
    """One PNG → the model's input batch (1, h, w, channels), with TensorFlow ops only."""
    import tensorflow as tf

    pixels = tf.cast(tf.io.decode_png(png, channels=1), tf.float32) / 255.0
    x = _tf_fit(pixels, contract)
    if contract.value_range == "-1..1":
        x = x * 2.0 - 1.0
    elif contract.value_range == "0..255":
        x = x * 255.0
    if contract.colour == "grey-to-rgb":
        x = tf.image.grayscale_to_rgb(x)
    if contract.mean is not None and contract.std is not None:
        x = (x - tf.constant(contract.mean, tf.float32)) / tf.constant(contract.std, tf.float32)
    return x[None]


def _tf_fit(pixels: Any, contract: ImagingContract) -> Any:
    import tensorflow as tf

    method, antialias = TF_RESIZE[contract.resize]
    height, width = contract.height, contract.width
    source_h, source_w = int(pixels.shape[0]), int(pixels.shape[1])

    def resized(h: int, w: int) -> Any:
        return tf.image.resize(pixels, (h, w), method=method, antialias=antialias)

    if contract.aspect == "stretch":
        return resized(height, width)
    if contract.aspect == "letterbox":
        scale = min(width / source_w, height / source_h)
        inner_w, inner_h = max(1, round(source_w * scale)), max(1, round(source_h * scale))
        return tf.image.pad_to_bounding_box(resized(inner_h, inner_w), (height - inner_h) // 2,
                                            (width - inner_w) // 2, height, width)
    scale = max(width / source_w, height / source_h)
    outer_w, outer_h = max(width, round(source_w * scale)), max(height, round(source_h * scale))
    return tf.image.crop_to_bounding_box(resized(outer_h, outer_w), (outer_h - height) // 2,
                                         (outer_w - width) // 2, height, width)


def tf_probabilities(model: Any, png: bytes, contract: ImagingContract) -> npt.NDArray[np.float64]:
    """The Keras model's answer for one PNG, the declared activation applied, in classes order."""
    import tensorflow as tf

    raw = model(tf_preprocess(png, contract), training=False)
    if contract.activation == "logits-softmax":
        raw = tf.nn.softmax(raw, axis=-1)
    elif contract.activation == "logits-sigmoid":
        raw = tf.math.sigmoid(raw)
    return np.asarray(raw, dtype=np.float64).reshape(-1)


def how(contract: ImagingContract) -> str:
    """One sentence: what ``tf_preprocess`` and ``tf_probabilities`` did."""
    method, antialias = TF_RESIZE[contract.resize]
    steps = ["PNG decoded by tf.io.decode_png as 8-bit grey and divided by 255",
             f"tf.image.resize(method='{method}', antialias={antialias}) to {contract.height}×{contract.width} "
             f"({contract.aspect})", f"values scaled to {contract.value_range}"]
    if contract.colour == "grey-to-rgb":
        steps.append("tf.image.grayscale_to_rgb")
    if contract.mean is not None:
        steps.append(f"(x - {list(contract.mean)}) / {list(contract.std or ())}")
    final = {"logits-softmax": "tf.nn.softmax of its output", "logits-sigmoid": "tf.math.sigmoid of its output"}
    steps.append(f"model(x, training=False), {final.get(contract.activation, 'its output as is')}")
    return ", then ".join(steps) + "."


def framework() -> str:
    import keras
    import tensorflow as tf

    return f"keras {keras.__version__} / tensorflow {tf.__version__}"


def write_reference(model: Any, folder: Path, name: str, entry: dict[str, Any], pngs: list[bytes], *,
                    reference_contract: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write the reference files for ``entry``'s model (already in ``folder``) and return the entry with
    ``reference`` and ``parity``. ``reference_contract`` (tests only) makes TensorFlow preprocess otherwise
    than the entry declares. Raises ``ExportRefused``, its files removed, when the app disagrees."""
    contract = parse_contract(entry)
    tf_contract = parse_contract(entry | {"contract": reference_contract}) if reference_contract else contract
    samples, written = [], []
    for i, png in enumerate(pngs):
        path = folder / f"{name}.ref-{i}.png"
        path.write_bytes(png)
        written.append(path)
        samples.append({"file": path.name, "sha256": hashlib.sha256(png).hexdigest(),
                        "probabilities": [float(p) for p in tf_probabilities(model, png, tf_contract)]})
    document = json.dumps({"framework": framework(), "how": how(tf_contract), "samples": samples}, indent=1)
    reference_path = folder / f"{name}.reference.json"
    reference_path.write_text(document, encoding="utf-8")
    written.append(reference_path)
    try:
        difference = app_difference(folder, entry, samples)
    except ExportRefused:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return entry | {"reference": {"file": reference_path.name,
                                  "sha256": hashlib.sha256(reference_path.read_bytes()).hexdigest()},
                    "parity": {"max_abs_difference": difference, "images": len(samples),
                               "against": "keras reference outputs"}}


def app_difference(folder: Path, entry: dict[str, Any], samples: list[dict[str, Any]]) -> float:
    """Largest |app − reference| over the samples, the app's own loader, preprocessing and onnxruntime;
    ``ExportRefused`` above ``MAX_DIFFERENCE`` or when the app cannot load the model."""
    from emsync_desktop.ml.image_io import load_image
    from emsync_desktop.ml.imaging import ImagingModel
    from emsync_desktop.ml.registry import ModelUnavailable
    from emsync_desktop.ml.signing import TrustedKeys, new_private_key_pem, public_key_of, sign_entry

    # The app refuses unsigned models; for this check a throwaway key vouches for the entry just written
    # (the real signature is the maker's: write_model's sign_key, or python -m emsync_desktop.ml.sign).
    check_key = new_private_key_pem()
    try:
        model = ImagingModel(folder, sign_entry(entry, check_key), TrustedKeys(frozenset({public_key_of(check_key)})))
    except ModelUnavailable as exc:
        raise ExportRefused(f"The app could not load the exported model: {exc}") from exc
    worst = 0.0
    for sample in samples:
        result = model.analyse(load_image(folder / sample["file"]), heat_map_budget_s=0.0)  # probabilities only
        got = np.array([result.probabilities[label] for label in model.classes], dtype=np.float64)
        worst = max(worst, float(np.abs(got - np.asarray(sample["probabilities"])).max()))
    if worst > MAX_DIFFERENCE:
        contract = model.contract
        raise ExportRefused(
            f"The app's output differs from Keras by {worst:.2e} (more than {MAX_DIFFERENCE:.0e}) on the reference "
            f"images, so the model was not exported: the likely cause is a preprocessing mismatch. Check that "
            f"--resize {contract.resize}, --aspect {contract.aspect}, --range {contract.value_range}"
            f"{', --mean/--std' if contract.mean else ''} and --activation {contract.activation} are what the model "
            "was trained with" + (" (the app's 'area' resize equals TensorFlow's only for whole-number shrink "
                                  "factors; try 'bilinear')" if contract.resize == "area" else "") + ".")
    return worst
