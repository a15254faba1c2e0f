"""The same service as a Ray Serve application (``import_path: jlab_platform.deploy.ray_app:build``).

Each replica loads the model once and serves the runtime's own Starlette app (``build_app``:
/aip, /predict, OIP v2, keys, batching) behind Serve's HTTP proxy under ``/<name>/``.
"""

import os
from typing import Any, cast

from ray import serve
from ray.serve import Application

from .runtime.app import ServiceState, build_app
from .runtime.auth import KeyRing
from .runtime.batching import service_batcher
from .runtime.config import ServiceConfig
from .runtime.loaders import Handler, load_handler


@serve.deployment
@serve.ingress()
class Service:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = ServiceConfig.model_validate(config)
        os.chdir(self.config.code_dir)  # user code opens files relative to its own folder
        self.handler: Handler = load_handler(self.config)
        self.state = ServiceState()
        self.state.on_start.append(self._start_batching)

    async def _start_batching(self) -> None:
        # In the replica's event loop (the ASGI lifespan), where the batcher's task must run.
        batcher = service_batcher(self.handler, self.config)
        batcher.start()
        self.state.handler, self.state.batcher = self.handler, batcher

    def __serve_build_asgi_app__(self) -> Any:
        return build_app(self.config, self.state, KeyRing(self.config.keys_file))


def build(args: dict[str, Any]) -> Application:
    """The application Serve's REST API deploys: ``args`` = {config (service.json), workers}."""
    deployment: Any = Service  # serve.deployment made it a Deployment (untyped)
    return cast(
        Application, deployment.options(num_replicas=int(args.get("workers", 1))).bind(args["config"])
    )
