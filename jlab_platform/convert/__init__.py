"""Model conversion: TensorFlow Lite (with quantization and verification) and ONNX.

The server side (``service``, ``sources``) imports no framework; the conversion worker
(``worker``) and the kernel import TensorFlow / PyTorch only when they convert.
"""
