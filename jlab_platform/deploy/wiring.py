"""Building the deployment service from the platform's settings and services."""

import os
from collections.abc import Callable
from pathlib import Path

from ..gitsync import GitService
from ..jobs.ray_executor import DEFAULT_ADDRESS
from ..modules.catalog import Catalog
from ..modules.spec import ModuleSpec
from ..paths import PathResolver
from ..settings import PlatformSettings
from ..store import Store
from .process import LocalBackend
from .service import Backend, DeploymentService, DeploySettings, GitState
from .sources import ModelLibrary, SourceFinder


def build_deployments(
    store: Store,
    settings: PlatformSettings,
    paths: PathResolver,
    catalog: Catalog,
    git: GitService,
    model_library: Callable[[], ModelLibrary | None],
) -> DeploymentService:
    def module_spec(name: str) -> tuple[Path, ModuleSpec | None]:
        entry = catalog.module(name)
        return entry.folder, entry.spec

    def git_state() -> GitState:
        status = git.status()
        return GitState(repository=status.repository, commit=status.head, uncommitted=status.changed > 0)

    def backend(proxy_secret: str) -> Backend:
        if settings.deploy_backend == "ray":
            from .ray_backend import RayBackend  # only its REST calls: no ray import in the server

            address = settings.job_cluster_address or os.environ.get("RAY_ADDRESS", DEFAULT_ADDRESS)
            return RayBackend(address, settings.deploy_host, settings.deploy_port_min, proxy_secret)
        return LocalBackend(settings.deploy_grace_seconds, settings.db_url, proxy_secret)

    return DeploymentService(
        store,
        DeploySettings(
            data_dir=settings.data_dir,
            results_dir=settings.results_dir,
            host=settings.deploy_host,
            port_min=settings.deploy_port_min,
            port_max=settings.deploy_port_max,
            grace_seconds=settings.deploy_grace_seconds,
            ready_timeout_seconds=settings.deploy_ready_timeout_seconds,
        ),
        SourceFinder(paths, settings.results_dir, module_spec, model_library),
        git_state,
        backend,
    )
