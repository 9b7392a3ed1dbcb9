"""Chest X-ray model pipeline (``train`` extra): data, Keras networks, training, tf2onnx export."""
