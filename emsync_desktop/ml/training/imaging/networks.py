"""The three networks the clinical team described, built from scratch (no weight downloads here).

Each ends the same way, which is what the class activation map needs: a last convolution named
``cam_features`` → global average pooling → one dense softmax layer named ``classifier``. A heat map
for class k is then sum_c w[c, k] * features[..., c], computed with numpy from the exported features.
"""

from __future__ import annotations

from typing import Any

ARCHITECTURES = ("cnn", "resnet", "efficientnet")
FEATURES_LAYER = "cam_features"
CLASSIFIER_LAYER = "classifier"


def build(arch: str, size: int, n_classes: int) -> Any:
    import keras

    inputs = keras.Input((size, size, 1), name="image")
    body = {"cnn": _basic_cnn, "resnet": _resnet, "efficientnet": _efficientnet}[arch]
    features = body(inputs)
    pooled = keras.layers.GlobalAveragePooling2D(name="pool")(features)
    pooled = keras.layers.Dropout(0.2, name="dropout")(pooled)
    outputs = keras.layers.Dense(n_classes, activation="softmax", name=CLASSIFIER_LAYER)(pooled)
    return keras.Model(inputs, outputs, name=f"cxr_{arch}")


def _basic_cnn(x: Any) -> Any:
    from keras import layers

    for i, filters in enumerate((16, 32, 64)):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.MaxPooling2D(name=f"pool{i}")(x)
    return layers.Conv2D(96, 3, padding="same", activation="relu", name=FEATURES_LAYER)(x)


def _resnet(x: Any) -> Any:
    from keras import layers

    x = layers.Conv2D(24, 5, strides=2, padding="same", use_bias=False, name="stem")(x)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.Activation("relu", name="stem_relu")(x)
    for stage, filters in enumerate((24, 48, 96)):
        x = _residual(x, filters, stride=1 if stage == 0 else 2, name=f"res{stage}")
    return layers.Conv2D(96, 1, activation="relu", name=FEATURES_LAYER)(x)


def _residual(x: Any, filters: int, stride: int, name: str) -> Any:
    from keras import layers

    shortcut = x
    y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False, name=f"{name}_a")(x)
    y = layers.BatchNormalization(name=f"{name}_a_bn")(y)
    y = layers.Activation("relu", name=f"{name}_a_relu")(y)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_b")(y)
    y = layers.BatchNormalization(name=f"{name}_b_bn")(y)
    if stride != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False, name=f"{name}_proj")(x)
        shortcut = layers.BatchNormalization(name=f"{name}_proj_bn")(shortcut)
    return layers.Activation("relu", name=f"{name}_out")(layers.Add(name=f"{name}_add")([y, shortcut]))


def _efficientnet(x: Any) -> Any:
    from keras import layers

    x = layers.Conv2D(16, 3, strides=2, padding="same", use_bias=False, name="stem")(x)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.Activation("swish", name="stem_swish")(x)
    for i, (filters, stride) in enumerate(((16, 1), (24, 2), (40, 2), (80, 2))):
        x = _mbconv(x, filters, stride, expand=1 if i == 0 else 4, name=f"mb{i}")
    return layers.Conv2D(96, 1, activation="swish", name=FEATURES_LAYER)(x)


def _mbconv(x: Any, filters: int, stride: int, expand: int, name: str) -> Any:
    """Inverted bottleneck with depthwise convolution and squeeze-and-excitation (EfficientNet's block)."""
    from keras import layers

    channels = int(x.shape[-1])
    y = x
    if expand > 1:
        y = layers.Conv2D(channels * expand, 1, use_bias=False, name=f"{name}_expand")(y)
        y = layers.BatchNormalization(name=f"{name}_expand_bn")(y)
        y = layers.Activation("swish", name=f"{name}_expand_swish")(y)
    y = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False, name=f"{name}_dw")(y)
    y = layers.BatchNormalization(name=f"{name}_dw_bn")(y)
    y = layers.Activation("swish", name=f"{name}_dw_swish")(y)
    squeezed = layers.GlobalAveragePooling2D(keepdims=True, name=f"{name}_se_pool")(y)
    squeezed = layers.Conv2D(max(4, channels // 4), 1, activation="swish", name=f"{name}_se_reduce")(squeezed)
    squeezed = layers.Conv2D(int(y.shape[-1]), 1, activation="sigmoid", name=f"{name}_se_expand")(squeezed)
    y = layers.Multiply(name=f"{name}_se")([y, squeezed])
    y = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_project")(y)
    y = layers.BatchNormalization(name=f"{name}_project_bn")(y)
    if stride == 1 and channels == filters:
        y = layers.Add(name=f"{name}_add")([y, x])
    return y
