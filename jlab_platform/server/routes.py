"""The route table: every URL the extension serves (the OpenAPI document is read from it)."""

from typing import Any

from .capture_handlers import CAPTURE_ROUTES
from .convert_handlers import CONVERT_ROUTES
from .crowd_handlers import CROWD_ROUTES
from .deploy_handlers import DEPLOY_ROUTES
from .deploy_proxy import DEPLOY_PROXY_ROUTES
from .evaluation_handlers import EVALUATION_ROUTES
from .git_handlers import GIT_ROUTES
from .info_handlers import INFO_ROUTES
from .jobs_handlers import JOB_ROUTES
from .labeler_handlers import LABELER_ROUTES
from .model_library_handlers import MODEL_LIBRARY_ROUTES
from .modules_handlers import MODULE_ROUTES
from .tensorboard_handlers import TENSORBOARD_ROUTES
from .tensorboard_proxy import TENSORBOARD_PROXY_ROUTES

API_PREFIX = "/jlab-platform/api"


def platform_routes() -> list[tuple[str, Any]]:
    """(URL pattern without the server's base URL, handler class) of every route."""
    api = [
        *INFO_ROUTES,
        *JOB_ROUTES,
        *CAPTURE_ROUTES,
        *MODULE_ROUTES,
        *GIT_ROUTES,
        *CONVERT_ROUTES,
        *CROWD_ROUTES,
        *MODEL_LIBRARY_ROUTES,
        *TENSORBOARD_ROUTES,
        *EVALUATION_ROUTES,
        *DEPLOY_ROUTES,
    ]
    return [
        *((f"{API_PREFIX}/{path}", handler) for path, handler in api),
        # The labeling page and its token-authenticated API live outside the Jupyter-login API.
        *((f"/{path}", handler) for path, handler in LABELER_ROUTES),
        # TensorBoard's pages and data, under Jupyter's login.
        *((f"/{path}", handler) for path, handler in TENSORBOARD_PROXY_ROUTES),
        # Deployed services, under Jupyter's login (no API key needed there).
        *((f"/{path}", handler) for path, handler in DEPLOY_PROXY_ROUTES),
    ]
