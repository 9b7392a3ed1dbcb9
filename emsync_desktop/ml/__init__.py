"""Runtime inference with onnxruntime only. No Qt."""
