"""ONNX Runtime int8: the serving graph (matcher/encoder.py) with dynamically quantised MatMul
weights, measured as a serving option (it is not used: eval top-1 drops by more than 0.01)."""

from __future__ import annotations

import json
from pathlib import Path

CACHE = Path(__file__).resolve().parent.parent / "data" / "bench" / "onnx"


def quantized_file(path: Path) -> Path:
    from matcher.encoder import model_version_of, onnx_file

    fp32 = onnx_file(path)
    target = CACHE / model_version_of(path) / "model-int8.onnx"
    stamp = target.with_name("source.json")
    source = json.dumps({"mtime_ns": fp32.stat().st_mtime_ns})
    if not (target.exists() and stamp.exists() and stamp.read_text() == source):
        from onnxruntime.quantization import QuantType, quantize_dynamic

        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name("model-int8.tmp.onnx")
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8,
                         op_types_to_quantize=["MatMul"])
        tmp.rename(target)
        stamp.write_text(source)
    return target
