"""The conversion API's requests and answers (``/convert``)."""

from typing import Literal

from pydantic import Field

from ..api.models import ApiModel, WorkspacePath
from ..files.models import Task
from .sources import Quantize


class TfliteRequest(ApiModel):
    path: WorkspacePath = Field(description="The Keras model (.keras, .h5) or SavedModel folder.")
    quantize: Quantize = "none"
    representative_data: WorkspacePath | None = Field(
        default=None, description="A folder of sample inputs (int8 needs it)."
    )
    allow_select_tf_ops: bool = False
    output: WorkspacePath | None = Field(default=None, description="Default: beside the model.")
    verify: bool = Field(default=True, description="Run the converted model against the original.")


class OnnxRequest(ApiModel):
    path: WorkspacePath = Field(description="The PyTorch model or checkpoint.")
    input_shape: list[int] | None = Field(
        default=None, description="1 to 8 positive integers, batch first, e.g. [1, 3, 224, 224]."
    )
    dynamic_batch: bool = True
    output: WorkspacePath | None = Field(default=None, description="Default: beside the model.")


WorkerState = Literal["stopped", "starting", "ready"]


class WorkerStatus(ApiModel):
    state: WorkerState
    pid: int | None
    queued: int
    tensorflow: str | None = Field(description="TensorFlow's version, once the worker has loaded it.")


class Conversions(ApiModel):
    conversions: list[Task]
    worker: WorkerStatus
