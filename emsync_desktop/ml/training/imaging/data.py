"""Labelled images for training: a folder layout, a MedMNIST .npz, or the synthetic demonstration set.

Folder layout (as the public paediatric pneumonia chest X-ray set is laid out)::

    ROOT/train/<class>/*.png|jpg|jpeg|dcm   ROOT/val/<class>/...   ROOT/test/<class>/...

Class names are the sub-folder names, sorted; every split must have the same classes. Images are
read with the app's own loader (DICOM window/level, MONOCHROME1, colour to grey), so training sees
exactly what the app will feed the model, then resized to ``size`` × ``size``.

MedMNIST .npz (e.g. pneumoniamnist.npz): arrays ``{train,val,test}_images`` (uint8, n×H×W) and
``{train,val,test}_labels`` (n×1); class names are given with --classes (default "0", "1", …).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from emsync_desktop.ml.image_io import ImageRefused, load_image
from emsync_desktop.ml.imaging import resize_for_model

SPLITS = ("train", "val", "test")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".dcm", ".dicom")


@dataclass(frozen=True)
class Split:
    images: npt.NDArray[np.float32]  # (n, size, size, 1) in [0, 1]
    labels: npt.NDArray[np.int64]


@dataclass(frozen=True)
class ImageSet:
    classes: tuple[str, ...]
    train: Split
    val: Split
    test: Split
    source: str  # "folder", "medmnist" or "synthetic"
    description: str
    skipped: tuple[str, ...] = ()  # files that could not be read, with why

    def counts(self) -> dict[str, dict[str, int]]:
        return {name: {c: int((split.labels == i).sum()) for i, c in enumerate(self.classes)}
                for name, split in (("train", self.train), ("val", self.val), ("test", self.test))}


class DataError(ValueError):
    """The data cannot be used for training; ``str()`` says what to fix."""


def load_folder(root: Path, size: int) -> ImageSet:
    classes = _classes(root)
    skipped: list[str] = []
    splits = {name: _read_split(root / name, classes, size, skipped) for name in SPLITS}
    return ImageSet(classes, splits["train"], splits["val"], splits["test"], "folder",
                    f"Images from {root} (folder per class: {', '.join(classes)})", tuple(skipped))


def _classes(root: Path) -> tuple[str, ...]:
    found = {name: tuple(sorted(p.name for p in (root / name).iterdir() if p.is_dir()))
             for name in SPLITS if (root / name).is_dir()}
    if set(found) != set(SPLITS):
        missing = ", ".join(s for s in SPLITS if s not in found)
        raise DataError(f"{root} needs train/, val/ and test/ folders; missing: {missing}.")
    if len(set(found.values())) != 1 or len(found["train"]) < 2:
        raise DataError(f"Every split of {root} must have the same two or more class folders; found {found}.")
    return found["train"]


def _read_split(folder: Path, classes: tuple[str, ...], size: int, skipped: list[str]) -> Split:
    images, labels = [], []
    for label, name in enumerate(classes):
        for path in sorted(p for p in (folder / name).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
            try:
                images.append(resize_for_model(load_image(path).pixels, size))
            except ImageRefused as exc:
                skipped.append(f"{path}: {exc}")
                continue
            labels.append(label)
    if not images:
        raise DataError(f"No readable images in {folder}.")
    return Split(np.stack(images)[..., None], np.asarray(labels, dtype=np.int64))


def load_medmnist(path: Path, size: int, classes: tuple[str, ...] | None = None) -> ImageSet:
    try:
        data = np.load(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"{path} is not a MedMNIST .npz file ({exc}).") from exc
    missing = [f"{s}_{k}" for s in SPLITS for k in ("images", "labels") if f"{s}_{k}" not in data]
    if missing:
        raise DataError(f"{path} lacks {', '.join(missing)}: is it a MedMNIST file?")
    splits = {s: _medmnist_split(data[f"{s}_images"], data[f"{s}_labels"], size) for s in SPLITS}
    n_classes = int(max(int(split.labels.max()) for split in splits.values())) + 1
    names = classes or tuple(str(i) for i in range(n_classes))
    if len(names) != n_classes:
        raise DataError(f"{path} has {n_classes} classes but {len(names)} names were given.")
    return ImageSet(names, splits["train"], splits["val"], splits["test"], "medmnist",
                    f"MedMNIST file {path.name}")


def _medmnist_split(images: npt.NDArray[np.uint8], labels: npt.NDArray[np.int64], size: int) -> Split:
    grey = images.astype(np.float32) / 255.0
    if grey.ndim == 4:  # colour MedMNIST sets: to grey
        grey = grey[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    scaled = np.stack([resize_for_model(np.asarray(img, dtype=np.float32), size) for img in grey])
    return Split(scaled[..., None], labels.reshape(-1).astype(np.int64))


def synthetic_set(size: int, n: int, seed: int) -> ImageSet:
    from emsync_desktop.ml.training.imaging.synthetic import CLASSES, DESCRIPTION, generate

    parts = [generate(count, size, seed + i) for i, count in enumerate((int(n * 0.7), int(n * 0.15), int(n * 0.15)))]
    train, val, test = (Split(p.images, p.labels) for p in parts)
    return ImageSet(CLASSES, train, val, test, "synthetic", DESCRIPTION)
