"""``/info``: the server's version and detected capabilities; ``/openapi.json``: this API's document."""

import asyncio
from typing import Any

from pydantic import Field

from ..api.models import ApiModel
from .base import ApiHandler
from .endpoint import endpoint


class Framework(ApiModel):
    available: bool
    version: str | None = None


class PlatformInfo(ApiModel):
    version: str
    python: str
    torch: Framework
    tensorflow: Framework
    git: Framework
    gpus: int
    gpu_names: list[str]
    gpu_source: str
    schema_version: int = Field(description="The store's schema version (its migrations).")
    results_dir: str = Field(description="Where jobs and modules write results, relative to the root.")
    tensorboard_runs_dir: str | None = Field(
        description="Where each job's TensorBoard run is written (tensorboard_runs_dir), relative to the "
        "root; null when it is configured outside the root."
    )


class InfoHandler(ApiHandler):
    @endpoint("The server's version and what it detected (frameworks, git, GPUs)", response=PlatformInfo)
    async def get(self) -> PlatformInfo:
        return info_payload(self)


class InfoRefreshHandler(ApiHandler):
    @endpoint(
        "Detect again, e.g. after installing TensorFlow into the server's environment", response=PlatformInfo
    )
    async def post(self) -> PlatformInfo:
        await asyncio.to_thread(self.platform.refresh_capabilities)
        return info_payload(self)


class OpenApiHandler(ApiHandler):
    _document: dict[str, Any] | None = None

    @endpoint("This API's OpenAPI 3.1 document (generated from the code)", raw="application/json")
    async def get(self) -> None:
        if OpenApiHandler._document is None:
            from .openapi import build_document  # the document reads every route
            from .routes import platform_routes

            OpenApiHandler._document = build_document(platform_routes())
        self.send_json(OpenApiHandler._document)


def info_payload(handler: ApiHandler) -> PlatformInfo:
    platform = handler.platform
    return PlatformInfo(
        **platform.capabilities.to_json(),
        schema_version=platform.schema_version,
        results_dir=platform.paths.relative(platform.settings.results_dir),
        tensorboard_runs_dir=platform.tensorboard.runs_folder,
    )


INFO_ROUTES: list[tuple[str, type[ApiHandler]]] = [
    ("info", InfoHandler),
    ("info/refresh", InfoRefreshHandler),
    ("openapi.json", OpenApiHandler),
]
