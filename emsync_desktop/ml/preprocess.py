"""Apply an ``ImagingContract``: grey [0, 1] image → the model's input batch; raw output → probabilities.
numpy and Pillow only; any thread.

Resize methods, on 32-bit float images (no rounding to 8 bits); ``tests/ml/training/test_resize_parity.py``
compares each with TensorFlow:

- ``nearest``: numpy, ``src = min(floor((dst + 0.5) · in / out), in − 1)`` (pixel centres). Exactly the
  pixels of Keras/TF2 ``tf.image.resize(..., method='nearest')`` and
  ``keras.utils.image_dataset_from_directory(interpolation='nearest')``, shrinking and enlarging.
  (Pillow's ``NEAREST`` agrees when shrinking but picks other pixels when enlarging by some factors,
  e.g. 100 → 150, hence numpy.)
- ``bilinear`` → Pillow ``BILINEAR``; ``bicubic`` → Pillow ``BICUBIC``. Pillow widens the filter when
  shrinking (it antialiases): these match torchvision's PIL ``Resize`` and TF ``tf.image.resize(...,
  antialias=True)`` (within 1e-5).
- ``bilinear-no-antialias``: numpy, half-pixel centres, no widening: TF ``tf.image.resize(...,
  method='bilinear')`` with its default ``antialias=False``, which is what Keras's
  ``image_dataset_from_directory`` and ``layers.Resizing`` do by default (within 1e-5). It differs from
  ``bilinear`` only when shrinking, by up to 0.4 on noisy images.
- ``area`` → Pillow ``BOX``: each output pixel the mean of the input area it covers. Equals TF
  ``method='area'`` only for whole-number shrink factors (64 → 32); otherwise up to 0.4 apart.

Aspect: ``stretch`` resizes to height × width; ``letterbox`` fits the whole image and pads the rest with
black (0) around it, centred; ``centre-crop`` fills the frame and cuts the overflow equally from both
sides. Values: ``0..1`` as is, ``-1..1`` as 2x − 1, ``0..255`` as 255x, then ``(x − mean) / std`` per
channel if given. ``grey-to-rgb`` replicates the grey channel three times.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from emsync_desktop.ml.contract import ImagingContract

FloatArray = npt.NDArray[np.float32]


def resize(pixels: FloatArray, width: int, height: int, method: str) -> FloatArray:
    """A 2-D float image resized with the named method (see the module)."""
    if method == "nearest":
        rows, cols = _nearest(pixels.shape[0], height), _nearest(pixels.shape[1], width)
        return np.ascontiguousarray(pixels[np.ix_(rows, cols)], dtype=np.float32)
    if method == "bilinear-no-antialias":
        return _bilinear_no_antialias(pixels, width, height)
    from PIL import Image

    filters = {"nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR,
               "bicubic": Image.Resampling.BICUBIC, "area": Image.Resampling.BOX}
    image = Image.fromarray(np.ascontiguousarray(pixels, dtype=np.float32), mode="F")
    return np.asarray(image.resize((width, height), filters[method]), dtype=np.float32)


def _nearest(size_in: int, size_out: int) -> npt.NDArray[np.intp]:
    centres = (np.arange(size_out, dtype=np.float64) + 0.5) * size_in / size_out
    return np.minimum(np.floor(centres).astype(np.intp), size_in - 1)


def _bilinear_no_antialias(pixels: FloatArray, width: int, height: int) -> FloatArray:
    def axis(size_in: int, size_out: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], FloatArray]:
        source = np.maximum((np.arange(size_out, dtype=np.float64) + 0.5) * size_in / size_out - 0.5, 0.0)
        low = np.floor(source).astype(np.intp)
        return low, np.minimum(low + 1, size_in - 1), (source - low).astype(np.float32)

    r0, r1, fr = axis(pixels.shape[0], height)
    c0, c1, fc = axis(pixels.shape[1], width)
    top = pixels[np.ix_(r0, c0)] * (1 - fc) + pixels[np.ix_(r0, c1)] * fc
    bottom = pixels[np.ix_(r1, c0)] * (1 - fc) + pixels[np.ix_(r1, c1)] * fc
    return np.ascontiguousarray(top * (1 - fr[:, None]) + bottom * fr[:, None], dtype=np.float32)


def _letterbox_box(contract: ImagingContract, source_h: int, source_w: int) -> tuple[int, int, int, int]:
    """(top, left, inner_h, inner_w): where the whole image lies in the model's frame."""
    scale = min(contract.width / source_w, contract.height / source_h)
    inner_w, inner_h = max(1, round(source_w * scale)), max(1, round(source_h * scale))
    return (contract.height - inner_h) // 2, (contract.width - inner_w) // 2, inner_h, inner_w


def _crop_box(contract: ImagingContract, source_h: int, source_w: int) -> tuple[int, int, int, int]:
    """(top, left, outer_h, outer_w): the image scaled to cover the frame, and where the frame cuts it."""
    scale = max(contract.width / source_w, contract.height / source_h)
    outer_w, outer_h = max(contract.width, round(source_w * scale)), max(contract.height, round(source_h * scale))
    return (outer_h - contract.height) // 2, (outer_w - contract.width) // 2, outer_h, outer_w


def fit(pixels: FloatArray, contract: ImagingContract) -> FloatArray:
    """The image at the model's height × width, with the declared aspect handling and resize."""
    height, width = contract.height, contract.width
    if contract.aspect == "stretch":
        return resize(pixels, width, height, contract.resize)
    if contract.aspect == "letterbox":
        top, left, inner_h, inner_w = _letterbox_box(contract, *pixels.shape)
        canvas = np.zeros((height, width), dtype=np.float32)
        canvas[top:top + inner_h, left:left + inner_w] = resize(pixels, inner_w, inner_h, contract.resize)
        return canvas
    top, left, outer_h, outer_w = _crop_box(contract, *pixels.shape)
    covered = resize(pixels, outer_w, outer_h, contract.resize)
    return np.ascontiguousarray(covered[top:top + height, left:left + width])


def heat_in_image_frame(heat: FloatArray, contract: ImagingContract, source_h: int, source_w: int,
                        longest: int = 64) -> FloatArray:
    """A heat map over the model's frame (any resolution) → over the original image, at most ``longest``
    cells on its long side and the image's aspect: the letterbox's padding cut off, the parts a centre
    crop never showed the model 0. A stretched frame is the image already (returned as is)."""
    if contract.aspect == "stretch" or heat.size == 0:
        return heat
    frame = resize(heat, contract.width, contract.height, "bilinear")
    if contract.aspect == "letterbox":
        top, left, inner_h, inner_w = _letterbox_box(contract, source_h, source_w)
        on_image = frame[top:top + inner_h, left:left + inner_w]
    else:
        top, left, outer_h, outer_w = _crop_box(contract, source_h, source_w)
        on_image = np.zeros((outer_h, outer_w), dtype=np.float32)
        on_image[top:top + contract.height, left:left + contract.width] = frame
    scale = min(1.0, longest / max(source_h, source_w))
    return resize(np.ascontiguousarray(on_image), max(1, round(source_w * scale)), max(1, round(source_h * scale)),
                  "area")


def scale_values(pixels: FloatArray, contract: ImagingContract) -> FloatArray:
    """Grey [0, 1] (h, w) → (h, w, channels) in the declared value range."""
    channels = np.repeat(pixels[:, :, None], contract.channels, axis=2)
    if contract.value_range == "-1..1":
        channels = channels * 2.0 - 1.0
    elif contract.value_range == "0..255":
        channels = channels * 255.0
    if contract.mean is not None and contract.std is not None:
        channels = (channels - np.asarray(contract.mean)) / np.asarray(contract.std)
    return channels.astype(np.float32)


def preprocess(pixels: FloatArray, contract: ImagingContract) -> FloatArray:
    """A batch of one, shaped and scaled as the contract declares, float32."""
    image = scale_values(fit(pixels, contract), contract)
    if contract.layout == "NCHW":
        image = image.transpose(2, 0, 1)
    return np.ascontiguousarray(image[None], dtype=np.float32)


def probabilities(raw: FloatArray, contract: ImagingContract) -> FloatArray:
    """One image's output values → probabilities per label, as the declared activation says."""
    values = np.asarray(raw, dtype=np.float64).reshape(-1)
    if contract.activation == "logits-softmax":
        shifted = np.exp(values - values.max())
        values = shifted / shifted.sum()
    elif contract.activation == "logits-sigmoid":
        values = 1.0 / (1.0 + np.exp(-values))
    return values.astype(np.float32)
