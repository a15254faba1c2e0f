"""Whether a converted model passes verification: its largest difference from the source is
within what the conversion is expected to cost, scaled to the size of the model's outputs."""

from typing import Any

# Absolute differences allowed for outputs of magnitude up to 1 (softmax, sigmoid): float32 on
# both sides differs by rounding only; float16 weights, int8 weights and int8 everything cost more.
TOLERANCES = {"none": 1e-4, "float16": 1e-2, "dynamic": 5e-2, "int8": 1e-1}


def verdict(max_abs_diff: float, largest_output: float, quantize: str = "none") -> dict[str, Any]:
    tolerance = TOLERANCES[quantize] * max(1.0, largest_output)
    return {"tolerance": tolerance, "passed": max_abs_diff <= tolerance}
