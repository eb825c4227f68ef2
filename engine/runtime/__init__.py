"""ONNX Runtime sessions: provider choice, lazy loading, batching."""
