"""The manifest's imaging contract: defaults for old entries, every option parsed, each fault a sentence."""

from __future__ import annotations

from typing import Any

import pytest

from emsync_desktop.ml.contract import ContractError, check_graph, parse_contract
from emsync_desktop.ml.registry import default_models_dir, load_manifest


def entry(**contract: Any) -> dict[str, Any]:
    return {"name": "m", "classes": ["a", "b"], "input": {"size": 150, "channels": 1}, "contract": contract}


def test_old_manifest_without_contract_gets_the_apps_former_behaviour() -> None:
    c = parse_contract({"name": "old", "classes": ["clear", "opacity"], "input": {"size": 128, "channels": 1}})
    assert (c.input_name, c.channels, c.height, c.width, c.layout) == ("image", 1, 128, 128, "NHWC")
    assert (c.resize, c.aspect, c.value_range, c.colour, c.mean) == ("bilinear", "stretch", "0..1", "grey", None)
    assert (c.output_name, c.activation, c.multi_label, c.labels) == ("probabilities", "softmax", False,
                                                                      ("clear", "opacity"))


def test_shipped_demo_model_declares_exactly_the_defaults() -> None:
    shipped = load_manifest(default_models_dir())["imaging"]["models"][0]
    legacy = {k: v for k, v in shipped.items() if k != "contract"}
    assert "contract" in shipped and parse_contract(shipped) == parse_contract(legacy)


def test_full_contract_is_parsed() -> None:
    c = parse_contract(entry(input={"channels": 3, "height": 224, "width": 200, "layout": "NCHW"},
                             preprocessing={"resize": "nearest", "aspect": "letterbox", "range": "0..255",
                                            "mean": [1, 2, 3], "std": [4, 5, 6], "colour": "grey-to-rgb"},
                             output={"name": "logits", "activation": "logits-sigmoid", "multi_label": True,
                                     "thresholds": [0.3, 0.7]}))
    assert (c.channels, c.height, c.width, c.input_shape()) == (3, 224, 200, (3, 224, 200))
    assert (c.resize, c.aspect, c.value_range, c.mean, c.std) == ("nearest", "letterbox", "0..255", (1, 2, 3),
                                                                  (4, 5, 6))
    assert (c.output_name, c.activation, c.multi_label, c.thresholds) == ("logits", "logits-sigmoid", True,
                                                                          (0.3, 0.7))


def test_three_channels_default_to_grey_replicated_to_rgb() -> None:
    assert parse_contract(entry(input={"channels": 3})).colour == "grey-to-rgb"


def test_multi_label_without_thresholds_uses_one_half() -> None:
    c = parse_contract(entry(output={"activation": "sigmoid", "multi_label": True}))
    assert c.thresholds == (0.5, 0.5)


@pytest.mark.parametrize(("contract", "sentence"), [
    ({"input": {"channels": 2}}, "input.channels is 2; use 1 or 3."),
    ({"input": {"height": 0}}, "input.height is 0; give the model's input size in pixels"),
    ({"input": {"layout": "CHW"}}, "input.layout is 'CHW'; use one of NHWC, NCHW."),
    ({"preprocessing": {"resize": "lanczos"}}, "preprocessing.resize is 'lanczos'; use one of bilinear, nearest"),
    ({"preprocessing": {"aspect": "fill"}}, "preprocessing.aspect is 'fill'; use one of stretch, letterbox"),
    ({"preprocessing": {"range": "0..2"}}, "preprocessing.range is '0..2'; use one of 0..1, -1..1, 0..255."),
    ({"preprocessing": {"mean": [0.5, 0.5], "std": [1, 1]}}, "preprocessing.mean must list 1 number(s)"),
    ({"preprocessing": {"mean": [0.5]}}, "preprocessing.mean and preprocessing.std go together"),
    ({"preprocessing": {"mean": [0.5], "std": [0]}}, "preprocessing.std must be positive"),
    ({"preprocessing": {"colour": "grey-to-rgb"}}, "does not fit input.channels 1: use 'grey' for 1 channel"),
    ({"output": {"activation": "relu"}}, "output.activation is 'relu'; use one of softmax, sigmoid"),
    ({"output": {"multi_label": True}}, "a multi-label model needs 'sigmoid' or 'logits-sigmoid'."),
    ({"output": {"activation": "sigmoid", "multi_label": True, "thresholds": [0.5]}},
     "output.thresholds must list 2 probabilities between 0 and 1"),
    ({"output": {"thresholds": [0.5, 0.5]}}, "output.thresholds is for multi-label models"),
])
def test_each_fault_is_a_sentence_saying_what_to_fix(contract: dict[str, Any], sentence: str) -> None:
    with pytest.raises(ContractError, match=r"^Model m: ") as raised:
        parse_contract(entry(**contract))
    assert sentence in str(raised.value)


def test_labels_must_be_listed_once_each() -> None:
    with pytest.raises(ContractError, match="classes has a label twice"):
        parse_contract({"name": "m", "classes": ["a", "a"], "input": {"size": 8}})


def test_graph_matching_the_contract_has_no_faults() -> None:
    c = parse_contract(entry(input={"channels": 3, "layout": "NCHW"}))
    assert check_graph(c, {"image": ["n", 3, 150, 150]}, {"probabilities": ["n", 2]}) == []


def test_graph_with_other_channels_size_and_labels_is_named() -> None:
    c = parse_contract(entry(input={"channels": 3, "layout": "NHWC"}))
    faults = check_graph(c, {"image": [None, 3, 150, 150]}, {"probabilities": [None, 14]})
    assert faults[0].startswith("The manifest declares channels 3 (NHWC) but the model's input has 150")
    assert any("declares height 150 (NHWC) but the model's input has 3" in f for f in faults)
    assert faults[-1] == ("The manifest lists 2 labels but the model's output 'probabilities' gives 14 values: "
                          "list one label per output.")


def test_graph_without_the_declared_input_or_output_is_named() -> None:
    c = parse_contract(entry())
    assert "has no input named 'image' (it has ['x'])" in check_graph(c, {"x": [1, 150, 150, 1]}, {})[0]
    assert "has no output named 'probabilities'" in check_graph(c, {"image": [1, 150, 150, 1]}, {"y": [1, 2]})[0]
