"""PyTorch to ONNX: a live module from a kernel, TorchScript and ExportedProgram files; each
checked and verified with onnxruntime against PyTorch."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
import pytest
import torch

from jlab_platform.convert.errors import ConversionError
from jlab_platform.convert.onnx_export import convert_onnx_file
from jlab_platform.convert.sources import OnnxJob
from jlab_platform.kernel.convert import ConversionFailed, to_onnx
from tests.convert.models import torch_cnn


@pytest.fixture(scope="module")
def torch_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("torch")
    model = torch_cnn()
    example = (torch.randn(2, 3, 16, 16),)
    torch.jit.save(torch.jit.script(model), folder / "cnn.pt")
    batch = torch.export.Dim("batch")
    torch.export.save(torch.export.export(model, example, dynamic_shapes=({0: batch},)), folder / "cnn.pt2")
    torch.export.save(torch.export.export(model, example), folder / "fixed.pt2")
    torch.save(model.state_dict(), folder / "weights.pt")
    return {path.name: path for path in folder.iterdir()}


def test_a_live_module_exports_with_a_dynamic_batch_verified_at_two_sizes(tmp_path: Path) -> None:
    model = torch_cnn()
    report = to_onnx(model, torch.randn(1, 3, 16, 16), str(tmp_path / "cnn.onnx"))
    assert (
        report["path"] == str(tmp_path / "cnn.onnx")
        and report["exported_with"] == "torch.onnx.export(dynamo=True)"
    )
    assert report["dynamic_batch"] is True and report["inputs"][0]["shape"][1:] == [3, 16, 16]
    verification = report["verification"]
    assert verification["batch_sizes"] == [1, 4] and set(verification["max_abs_diff_by_batch"]) == {"1", "4"}
    assert verification["max_abs_diff"] < 1e-4 and verification["argmax_agreement"] == 1.0
    assert "passed" in report["checked"]
    # Any batch size runs, and gives what PyTorch gives.
    session = onnxruntime.InferenceSession(str(tmp_path / "cnn.onnx"))
    batch = torch.randn(3, 3, 16, 16)
    (got,) = session.run(None, {session.get_inputs()[0].name: batch.numpy()})
    with torch.no_grad():
        assert np.abs(got - model(batch).numpy()).max() < 1e-4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cnn.onnx"]


def test_a_module_that_fixes_its_batch_is_exported_with_that_batch_and_a_warning(tmp_path: Path) -> None:
    class FixedBatch(torch.nn.Module):
        def forward(self, x: Any) -> Any:
            return x + torch.ones(2, 4)  # broadcasting pins the batch to 2

    report = to_onnx(FixedBatch(), torch.randn(2, 4), str(tmp_path / "fixed.onnx"))
    assert report["dynamic_batch"] is False and report["verification"]["batch_sizes"] == [2]
    assert (
        "A dynamic batch failed" in report["warnings"][0]
        or "fixes the batch size to 2" in report["warnings"][0]
    )


@pytest.mark.parametrize(
    ("name", "kind", "exported_with", "batches"),
    [
        ("cnn.pt", "torchscript", "dynamo=False", [1, 4]),
        ("cnn.pt2", "exported_program", "dynamo=True", [1, 4]),
        ("fixed.pt2", "exported_program", "dynamo=True", [2]),
    ],
)
def test_model_files_export_and_verify(
    torch_files: dict[str, Path], tmp_path: Path, name: str, kind: str, exported_with: str, batches: list[int]
) -> None:
    out = tmp_path / "model.onnx"
    job = OnnxJob(torch_files[name], kind, out, "test", input_shape=(1, 3, 16, 16))
    stages: list[str] = []
    report = convert_onnx_file(job, lambda stage, fraction, message: stages.append(stage))
    assert stages == ["loading", "exporting", "checking", "verifying"]
    assert exported_with in report["exported_with"] and report["source_kind"] == kind
    assert report["verification"]["batch_sizes"] == batches and report["verification"]["max_abs_diff"] < 1e-4
    assert out.stat().st_size == report["output_bytes"]
    if name == "fixed.pt2":
        assert "fixes the batch size to 2 (export the program with dynamic_shapes" in report["warnings"][0]


def test_a_weights_only_pt_says_how_to_save_a_graph(torch_files: dict[str, Path], tmp_path: Path) -> None:
    job = OnnxJob(torch_files["weights.pt"], "torchscript", tmp_path / "w.onnx", "test", (1, 3, 16, 16))
    with pytest.raises(ConversionError, match=r"weights\.pt holds only weights \(a state dict\)") as refused:
        convert_onnx_file(job, lambda *args: None)
    assert "torch.jit.save" in refused.value.detail and "load_state_dict" in refused.value.detail
    assert "to_onnx" in refused.value.detail and refused.value.data == {"code": "state_dict"}
    (tmp_path / "pickled.pt").write_bytes(b"not a model at all")
    job = OnnxJob(tmp_path / "pickled.pt", "torchscript", tmp_path / "w.onnx", "test")
    with pytest.raises(ConversionError, match="is not a TorchScript file"):
        convert_onnx_file(job, lambda *args: None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pickled.pt"]


class Tokens(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = torch.nn.Embedding(10, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.embed(x).sum(1)


class Mlp(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Linear(12, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


def test_a_file_without_an_input_shape_gets_it_from_its_first_layer(
    torch_files: dict[str, Path], tmp_path: Path
) -> None:
    # A convolution gives the channels; the first size the model runs on gives the rest.
    cnn = OnnxJob(torch_files["cnn.pt"], "torchscript", tmp_path / "cnn.onnx", "test")
    report = convert_onnx_file(cnn, lambda *args: None)
    assert report["input_shape"] == [[1, 3, 16, 16]]
    assert report["input_shape_from"] == (
        "inferred from the first layer (Conv2d, 3 input channels) and the first size it runs on (16 × 16)"
    )
    assert report["verification"]["passed"] is True and report["op_counts"]["Conv"] == 1
    torch.jit.save(torch.jit.script(Mlp()), tmp_path / "mlp.pt")
    mlp = convert_onnx_file(
        OnnxJob(tmp_path / "mlp.pt", "torchscript", tmp_path / "mlp.onnx", "t"), lambda *args: None
    )
    assert mlp["input_shape"] == [[1, 12]] and "Linear, 12 input features" in mlp["input_shape_from"]
    # A .pt2 keeps its example inputs; a given shape wins over both.
    program = convert_onnx_file(
        OnnxJob(torch_files["cnn.pt2"], "exported_program", tmp_path / "p.onnx", "t"), lambda *args: None
    )
    assert program["input_shape_from"] == "the example inputs saved with the program"
    given = OnnxJob(torch_files["cnn.pt"], "torchscript", tmp_path / "g.onnx", "t", (2, 3, 16, 16))
    assert convert_onnx_file(given, lambda *args: None)["input_shape_from"] == "given"


def test_a_model_whose_input_cannot_be_told_asks_for_it(tmp_path: Path) -> None:
    torch.jit.save(torch.jit.script(Tokens()), tmp_path / "tokens.pt")
    job = OnnxJob(tmp_path / "tokens.pt", "torchscript", tmp_path / "tokens.onnx", "test")
    with pytest.raises(ConversionError, match=r"Could not tell the input shape of tokens\.pt") as asked:
        convert_onnx_file(job, lambda *args: None)
    assert asked.value.data == {"code": "needs_input_shape"}
    assert "first layer is Embedding" in asked.value.detail and "[1, 3, 224, 224]" in asked.value.detail


def test_the_demo_workspace_model_exports_out_of_the_box(tmp_path: Path) -> None:
    demo = Path(__file__).resolve().parents[2] / "scripts" / "make_demo_workspace.py"
    subprocess.run([sys.executable, str(demo), str(tmp_path)], check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "train.py"],
        cwd=tmp_path,
        env={**os.environ, "EPOCHS": "1"},
        check=True,
        capture_output=True,
    )
    source = tmp_path / "results" / "shapes_cnn.pt"
    report = convert_onnx_file(
        OnnxJob(source, "torchscript", tmp_path / "shapes_cnn.onnx", "t"), lambda *args: None
    )
    assert report["input_shape"] == [[1, 1, 32, 32]] and report["verification"]["passed"] is True


def test_to_onnx_refuses_bad_arguments_clearly(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"must be a \.onnx file"):
        to_onnx(torch_cnn(), torch.randn(1, 3, 16, 16), str(tmp_path / "cnn.bin"))
    with pytest.raises(ConversionFailed, match="example_inputs must be a tensor"):
        to_onnx(torch_cnn(), [[1, 2, 3]], str(tmp_path / "cnn.onnx"))
