"""``/convert`` (TFLite and ONNX conversions) and ``/files`` (extract, export a notebook as a script)."""

import asyncio
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..convert.service import ConversionService
from ..errors import InvalidInput
from ..files.service import FileActions
from .base import ApiHandler


def _text(body: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        if required:
            raise InvalidInput(f"Missing {key!r}", "Give the path relative to the server's root directory.")
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{key!r} must be a string", f"Got {type(value).__name__}.")
    return value


def _path(body: dict[str, Any]) -> str:
    path = _text(body, "path", required=True)
    assert path is not None
    return path


def _flag(body: dict[str, Any], key: str, default: bool) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise InvalidInput(f"{key!r} must be true or false", f"Got {value!r}.")
    return value


class ConvertBase(ApiHandler):
    @property
    def conversions(self) -> ConversionService:
        return self.platform.convert


class ConversionsHandler(ConvertBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.send_json({"conversions": self.conversions.list(), "worker": self.conversions.status()})


class WarmHandler(ConvertBase):
    """Start the conversion worker ahead of a conversion: the UI calls it when a dialog opens."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.send_json(self.conversions.warm())


class TfliteHandler(ConvertBase):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        path = _path(body)
        quantize = _text(body, "quantize") or "none"
        task = await asyncio.to_thread(
            self.conversions.submit_tflite,
            path,
            quantize=quantize,
            representative_data=_text(body, "representative_data"),
            allow_select_tf_ops=_flag(body, "allow_select_tf_ops", False),
            output=_text(body, "output"),
            verify=_flag(body, "verify", True),
        )
        self.send_json(task, 202)


class OnnxHandler(ConvertBase):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        path = _path(body)
        task = await asyncio.to_thread(
            self.conversions.submit_onnx,
            path,
            input_shape=body.get("input_shape"),
            dynamic_batch=_flag(body, "dynamic_batch", True),
            output=_text(body, "output"),
        )
        self.send_json(task, 202)


class ConversionHandler(ConvertBase):
    @web.authenticated
    @authorized
    async def get(self, task_id: str) -> None:
        self.send_json(self.conversions.get(task_id))

    @web.authenticated
    @authorized
    async def delete(self, task_id: str) -> None:
        self.send_json(await asyncio.to_thread(self.conversions.cancel, task_id))


class FilesBase(ApiHandler):
    @property
    def files(self) -> FileActions:
        return self.platform.files


class ExtractHandler(FilesBase):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        path = _path(body)
        task = await asyncio.to_thread(self.files.extract, path, _text(body, "name_encoding"))
        self.send_json(task, 202)


class ExtractionHandler(FilesBase):
    @web.authenticated
    @authorized
    async def get(self, task_id: str) -> None:
        self.send_json(self.files.get(task_id))

    @web.authenticated
    @authorized
    async def delete(self, task_id: str) -> None:
        self.send_json(await asyncio.to_thread(self.files.cancel, task_id))


class ExportScriptHandler(FilesBase):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        path = _path(body)
        result = await asyncio.to_thread(self.files.export_script, path, _flag(body, "overwrite", False))
        self.send_json(result, 201)


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
