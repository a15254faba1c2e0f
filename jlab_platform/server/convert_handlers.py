"""``/convert`` (TFLite and ONNX conversions) and ``/files`` (extract, export a notebook as a script)."""

import asyncio

from ..convert.models import Conversions, OnnxRequest, TfliteRequest, WorkerStatus
from ..convert.service import ConversionService
from ..files.models import ExportedScript, ExportScriptRequest, ExtractRequest, Task
from ..files.service import FileActions
from .base import ApiHandler
from .endpoint import endpoint


class ConvertBase(ApiHandler):
    @property
    def conversions(self) -> ConversionService:
        return self.platform.convert


class ConversionsHandler(ConvertBase):
    @endpoint("Recent conversions and the conversion worker's state", response=Conversions)
    async def get(self) -> Conversions:
        return Conversions(conversions=self.conversions.list(), worker=self.conversions.status())


class WarmHandler(ConvertBase):
    @endpoint(
        "Start the conversion worker ahead of a conversion (the UI calls it when a dialog opens)",
        response=WorkerStatus,
    )
    async def post(self) -> WorkerStatus:
        return self.conversions.warm()


class TfliteHandler(ConvertBase):
    @endpoint("Convert a Keras model to TFLite", body=TfliteRequest, response=Task, status=202)
    async def post(self, body: TfliteRequest) -> Task:
        return await asyncio.to_thread(
            self.conversions.submit_tflite,
            body.path,
            quantize=body.quantize,
            representative_data=body.representative_data,
            allow_select_tf_ops=body.allow_select_tf_ops,
            output=body.output,
            verify=body.verify,
        )


class OnnxHandler(ConvertBase):
    @endpoint("Export a PyTorch model to ONNX", body=OnnxRequest, response=Task, status=202)
    async def post(self, body: OnnxRequest) -> Task:
        return await asyncio.to_thread(
            self.conversions.submit_onnx,
            body.path,
            input_shape=body.input_shape,
            dynamic_batch=body.dynamic_batch,
            output=body.output,
        )


class ConversionHandler(ConvertBase):
    @endpoint("One conversion", response=Task)
    async def get(self, task_id: str) -> Task:
        return self.conversions.get(task_id)

    @endpoint("Cancel a conversion", response=Task)
    async def delete(self, task_id: str) -> Task:
        return await asyncio.to_thread(self.conversions.cancel, task_id)


class FilesBase(ApiHandler):
    @property
    def files(self) -> FileActions:
        return self.platform.files


class ExtractHandler(FilesBase):
    @endpoint("Extract an archive beside itself, safely", body=ExtractRequest, response=Task, status=202)
    async def post(self, body: ExtractRequest) -> Task:
        return await asyncio.to_thread(self.files.extract, body.path, body.name_encoding)


class ExtractionHandler(FilesBase):
    @endpoint("One extraction", response=Task)
    async def get(self, task_id: str) -> Task:
        return self.files.get(task_id)

    @endpoint("Cancel an extraction", response=Task)
    async def delete(self, task_id: str) -> Task:
        return await asyncio.to_thread(self.files.cancel, task_id)


class ExportScriptHandler(FilesBase):
    @endpoint(
        "Export a notebook as a script beside it",
        body=ExportScriptRequest,
        response=ExportedScript,
        status=201,
    )
    async def post(self, body: ExportScriptRequest) -> ExportedScript:
        return await asyncio.to_thread(self.files.export_script, body.path, body.overwrite)


# Literal paths before the {id} patterns: tornado takes the first rule that matches.
CONVERT_ROUTES: list[tuple[str, type[ApiHandler]]] = [
    ("convert", ConversionsHandler),
    ("convert/warm", WarmHandler),
    ("convert/tflite", TfliteHandler),
    ("convert/onnx", OnnxHandler),
    (r"convert/(?P<task_id>[^/]+)", ConversionHandler),
    ("files/extract", ExtractHandler),
    (r"files/extract/(?P<task_id>[^/]+)", ExtractionHandler),
    ("files/export-script", ExportScriptHandler),
]
