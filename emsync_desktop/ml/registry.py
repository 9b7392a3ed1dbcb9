"""The model registry: ``models_onnx/manifest.json`` and the files it vouches for.

A model file is used only if its sha256 equals the manifest's; anything else is refused with a
message a person can act on. Nothing here imports onnxruntime (sessions are built by callers).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
INPUT_NAME = "features"
PROBABILITIES_OUTPUT = "probabilities"


class ModelUnavailable(RuntimeError):
    """A model cannot be used; ``str()`` says why and what to do. The rest of the app goes on."""


def default_models_dir() -> Path:
    """``$EMSYNC_MODELS_DIR``, else ``models_onnx`` beside the packages (or inside a frozen app)."""
    if env := os.environ.get("EMSYNC_MODELS_DIR"):
        return Path(env)
    frozen_root = getattr(sys, "_MEIPASS", None)
    root = Path(frozen_root) if frozen_root else Path(__file__).resolve().parents[2]
    return root / "models_onnx"


def load_manifest(models_dir: Path) -> dict[str, Any]:
    path = models_dir / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelUnavailable(f"No model manifest at {path}. Reinstall EMsync or import models (admin).") from exc
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"The model manifest {path} cannot be read ({exc}). Reinstall the models.") from exc
    if not isinstance(manifest, dict):
        raise ModelUnavailable(f"The model manifest {path} is not a manifest. Reinstall the models.")
    return manifest


def verified_model_bytes(models_dir: Path, entry: dict[str, Any]) -> bytes:
    """The file's bytes, after checking them against the manifest's sha256."""
    path = models_dir / str(entry.get("file", ""))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelUnavailable(f"Model file {path.name} is missing or unreadable ({exc.strerror}). "
                               "Reinstall the models.") from exc
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        raise ModelUnavailable(f"Model file {path.name} does not match its manifest (sha256 differs), so it is "
                               "refused. Reinstall the models or import a complete model set.")
    return data
