"""The imaging model's input/output contract, as its manifest entry declares it. Pure code: no Qt, no
onnxruntime, no numpy.

A manifest entry may carry ``contract``::

    "contract": {
      "input":         {"name": "image", "channels": 1 | 3, "height": 128, "width": 128,
                        "layout": "NHWC" | "NCHW"},
      "preprocessing": {"resize": "bilinear" | "nearest" | "area" | "bicubic" | "bilinear-no-antialias",
                        "aspect": "stretch" | "letterbox" | "centre-crop",
                        "range": "0..1" | "-1..1" | "0..255",
                        "mean": [..], "std": [..],          # optional, one per channel, after range
                        "colour": "grey" | "grey-to-rgb"},   # grey-to-rgb: the grey image replicated
      "output":        {"name": "probabilities",
                        "activation": "softmax" | "sigmoid" | "logits-softmax" | "logits-sigmoid",
                        "multi_label": false, "thresholds": [..] | null}
    }

and its ``classes`` are the labels, in output order. Every key has a default, which is exactly what the
app did before contracts existed (the shipped demo model's behaviour): ``image``, channels and size from
``input.channels`` / ``input.size``, NHWC, bilinear, stretch, 0..1, grey, ``probabilities``, softmax,
single-label. ``parse_contract`` raises ``ContractError`` whose text lists every fault, each a sentence
that says what to fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LAYOUTS = ("NHWC", "NCHW")
RESIZE_METHODS = ("bilinear", "nearest", "area", "bicubic", "bilinear-no-antialias")
ASPECTS = ("stretch", "letterbox", "centre-crop")
RANGES = ("0..1", "-1..1", "0..255")
COLOURS = ("grey", "grey-to-rgb")
ACTIVATIONS = ("softmax", "sigmoid", "logits-softmax", "logits-sigmoid")
MAX_SIDE = 4096


class ContractError(ValueError):
    """The manifest's contract cannot be used; ``str()`` is one sentence per fault."""


@dataclass(frozen=True)
class ImagingContract:
    input_name: str
    channels: int
    height: int
    width: int
    layout: str
    resize: str
    aspect: str
    value_range: str
    mean: tuple[float, ...] | None
    std: tuple[float, ...] | None
    colour: str
    output_name: str
    activation: str
    multi_label: bool
    labels: tuple[str, ...]
    thresholds: tuple[float, ...] | None  # multi-label only: one per label

    def input_shape(self) -> tuple[int, int, int]:
        """The shape of one image as the model takes it (without the batch axis)."""
        if self.layout == "NCHW":
            return (self.channels, self.height, self.width)
        return (self.height, self.width, self.channels)

    def describe(self) -> str:
        """One line for an admin: what the app feeds the model and how it reads the answer."""
        scale = self.value_range + (f", then (x − {self.mean}) / {self.std}" if self.mean and self.std else "")
        kind = "multi-label" if self.multi_label else "single-label"
        return (f"{self.channels}×{self.height}×{self.width} {self.layout} ({self.colour}), {self.resize} resize, "
                f"{self.aspect}, values {scale}; output {self.activation}, {kind}, {len(self.labels)} labels")


def parse_contract(entry: Mapping[str, Any]) -> ImagingContract:
    """The contract of one ``imaging.models[]`` manifest entry, defaults filled in (see the module)."""
    faults: list[str] = []
    name = str(entry.get("name", "?"))
    declared = entry.get("contract") or {}
    legacy_input = entry.get("input")
    legacy: Mapping[str, Any] = legacy_input if isinstance(legacy_input, Mapping) else {}
    inp = _section(declared, "input", faults)
    pre = _section(declared, "preprocessing", faults)
    out = _section(declared, "output", faults)
    size = legacy.get("size")
    channels = _int(inp.get("channels", legacy.get("channels", 1)), "input.channels", (1, 3), faults)
    height = _side(inp.get("height", size), "input.height", faults)
    width = _side(inp.get("width", size), "input.width", faults)
    layout = _choice(inp.get("layout", "NHWC"), "input.layout", LAYOUTS, faults)
    colour = _choice(pre.get("colour", "grey" if channels == 1 else "grey-to-rgb"), "preprocessing.colour",
                     COLOURS, faults)
    if (colour == "grey") != (channels == 1):
        faults.append(f"preprocessing.colour {colour!r} does not fit input.channels {channels}: use 'grey' for "
                      "1 channel or 'grey-to-rgb' for 3.")
    mean = _per_channel(pre.get("mean"), "preprocessing.mean", channels, faults)
    std = _per_channel(pre.get("std"), "preprocessing.std", channels, faults)
    if (mean is None) != (std is None):
        faults.append("preprocessing.mean and preprocessing.std go together: give both (one number per channel) "
                      "or neither.")
    if std is not None and any(s <= 0 for s in std):
        faults.append("preprocessing.std must be positive numbers: a zero or negative std cannot scale pixels.")
    labels = _labels(entry.get("classes"), faults)
    activation = _choice(out.get("activation", "softmax"), "output.activation", ACTIVATIONS, faults)
    multi_label = out.get("multi_label", False)
    if not isinstance(multi_label, bool):
        faults.append("output.multi_label must be true or false.")
        multi_label = False
    if multi_label and activation in ("softmax", "logits-softmax"):
        faults.append(f"output.activation {activation!r} makes labels exclude each other: a multi-label model "
                      "needs 'sigmoid' or 'logits-sigmoid'.")
    thresholds = _thresholds(out.get("thresholds"), multi_label, len(labels), faults)
    resize = _choice(pre.get("resize", "bilinear"), "preprocessing.resize", RESIZE_METHODS, faults)
    aspect = _choice(pre.get("aspect", "stretch"), "preprocessing.aspect", ASPECTS, faults)
    value_range = _choice(pre.get("range", "0..1"), "preprocessing.range", RANGES, faults)
    if faults:
        raise ContractError(f"Model {name}: " + " ".join(faults))
    return ImagingContract(
        input_name=str(inp.get("name", "image")), channels=channels, height=height, width=width, layout=layout,
        resize=resize, aspect=aspect, value_range=value_range, mean=mean, std=std, colour=colour,
        output_name=str(out.get("name", "probabilities")), activation=activation, multi_label=multi_label,
        labels=labels, thresholds=thresholds)


def check_graph(contract: ImagingContract, inputs: Mapping[str, Sequence[Any]],
                outputs: Mapping[str, Sequence[Any]]) -> list[str]:
    """Faults between the contract and the graph's declared shapes (``{name: shape}``, symbolic axes as
    strings or None), each a sentence naming the mismatch. Empty when they fit."""
    faults: list[str] = []
    if contract.input_name not in inputs:
        return [f"The model has no input named {contract.input_name!r} (it has {sorted(inputs)}): set "
                "contract.input.name to one of them."]
    shape = list(inputs[contract.input_name])
    if len(shape) != 4:
        return [f"The model's input {contract.input_name!r} has {len(shape)} axes {shape}; an image model takes 4 "
                "(batch, and height, width, channels in the declared layout)."]
    names = ("channels", "height", "width")
    axes = (1, 2, 3) if contract.layout == "NCHW" else (3, 1, 2)
    wanted = (contract.channels, contract.height, contract.width)
    for what, axis, value in zip(names, axes, wanted, strict=True):
        if isinstance(shape[axis], int) and shape[axis] != value:
            faults.append(f"The manifest declares {what} {value} ({contract.layout}) but the model's input has "
                          f"{shape[axis]} on that axis (shape {shape}): correct the manifest's input "
                          f"{what}{' or layout' if what == 'channels' else ''}.")
    if contract.output_name not in outputs:
        faults.append(f"The model has no output named {contract.output_name!r} (it has {sorted(outputs)}): set "
                      "contract.output.name to one of them.")
        return faults
    out_shape = list(outputs[contract.output_name])
    if len(out_shape) != 2:
        faults.append(f"The model's output {contract.output_name!r} has shape {out_shape}; the app needs "
                      "(batch, labels).")
    elif isinstance(out_shape[1], int) and out_shape[1] != len(contract.labels):
        faults.append(f"The manifest lists {len(contract.labels)} labels but the model's output "
                      f"{contract.output_name!r} gives {out_shape[1]} values: list one label per output.")
    return faults


def _section(declared: Any, key: str, faults: list[str]) -> Mapping[str, Any]:
    if not isinstance(declared, Mapping):
        faults.append("contract must be an object with input, preprocessing and output.")
        return {}
    value = declared.get(key, {})
    if not isinstance(value, Mapping):
        faults.append(f"contract.{key} must be an object (or left out for the defaults).")
        return {}
    return value


def _choice(value: Any, field: str, allowed: tuple[str, ...], faults: list[str]) -> str:
    if value not in allowed:
        faults.append(f"{field} is {value!r}; use one of {', '.join(allowed)}.")
        return allowed[0]
    return str(value)


def _int(value: Any, field: str, allowed: tuple[int, ...], faults: list[str]) -> int:
    if isinstance(value, bool) or value not in allowed:
        faults.append(f"{field} is {value!r}; use {' or '.join(map(str, allowed))}.")
        return allowed[0]
    return int(value)


def _side(value: Any, field: str, faults: list[str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SIDE:
        faults.append(f"{field} is {value!r}; give the model's input size in pixels, a whole number from 1 to "
                      f"{MAX_SIDE}.")
        return 1
    return int(value)


def _numbers(value: Any) -> tuple[float, ...] | None:
    if not isinstance(value, list) or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return None
    return tuple(float(v) for v in value)


def _per_channel(value: Any, field: str, channels: int, faults: list[str]) -> tuple[float, ...] | None:
    if value is None:
        return None
    numbers = _numbers(value)
    if numbers is None or len(numbers) != channels:
        faults.append(f"{field} must list {channels} number(s), one per input channel.")
        return None
    return numbers


def _labels(value: Any, faults: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        faults.append("classes must list the labels, in the order of the model's outputs.")
        return ()
    if len(set(value)) != len(value):
        faults.append("classes has a label twice: each label must be unique.")
    return tuple(value)


def _thresholds(value: Any, multi_label: bool, labels: int, faults: list[str]) -> tuple[float, ...] | None:
    if not multi_label:
        if value is not None:
            faults.append("output.thresholds is for multi-label models: remove it or set output.multi_label true.")
        return None
    if value is None:
        return tuple(0.5 for _ in range(labels))
    numbers = _numbers(value)
    if numbers is None or len(numbers) != labels or not all(0.0 < t < 1.0 for t in numbers):
        faults.append(f"output.thresholds must list {labels} probabilities between 0 and 1, one per label in "
                      "classes order.")
        return None
    return numbers
