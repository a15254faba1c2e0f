"""Every c.JlabPlatform option, set on a real server, reaches the service that uses it."""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config

from jlab_platform.files.extract import MB
from jlab_platform.jobs.executor import LocalExecutor
from jlab_platform.jobs.ray_executor import RayExecutor
from jlab_platform.platform import Platform
from jlab_platform.server.app import JlabPlatform
from jlab_platform.server.options import option_value
from jlab_platform.settings import OPTIONS, option_default

README = Path(__file__).resolve().parents[2] / "README.md"
CLUSTER = "http://127.0.0.1:9"  # nothing listens there; no job is started


def _other_db(root: Path) -> str:
    return f"sqlite:///{root.parent / 'elsewhere.db'}"


# option -> (a value other than the default, what the service holds, what it must hold).
Check = tuple[Any, Callable[[Platform, JlabPlatform], Any], Callable[[Path], Any]]
REACHES: dict[str, Check] = {
    "data_dir": ("custom-data", lambda p, _: p.jobs.settings.data_dir, lambda r: r / "custom-data"),
    "results_dir_name": ("out", lambda p, _: p.crowd.settings.results_dir, lambda r: r / "out"),
    "db_url": (None, lambda p, _: p.store.url, _other_db),
    "gpu_count": (3, lambda p, _: (p.capabilities.gpus, p.jobs.settings.gpu_count), lambda r: (3, 3)),
    "max_cpu_jobs": (7, lambda p, _: p.jobs.settings.max_cpu_jobs, lambda r: 7),
    "job_grace_seconds": (3.5, lambda p, _: p.jobs.settings.grace_seconds, lambda r: 3.5),
    "job_retention_days": (2.0, lambda p, _: p.jobs.settings.retention_days, lambda r: 2.0),
    "job_poll_seconds": (0.25, lambda p, _: p.settings.job_poll_seconds, lambda r: 0.25),
    "job_executor": ("ray", lambda p, _: type(p.jobs.executor), lambda r: RayExecutor),
    "job_cluster_address": (CLUSTER, lambda p, _: p.jobs.executor.cluster_address, lambda r: CLUSTER),
    "job_cpus": (2.5, lambda p, _: p.jobs.settings.cpus_per_job, lambda r: 2.5),
    "max_pending_jobs_per_user": (9, lambda p, _: p.jobs.settings.max_pending_jobs, lambda r: 9),
    "max_snapshot_total_mb": (3.0, lambda p, _: p.jobs.settings.max_snapshot_bytes, lambda r: 3 * MB),
    "git_max_file_mb": (1.5, lambda p, _: p.git.settings.max_file_mb, lambda r: 1.5),
    "git_pull_rebase": (False, lambda p, _: p.git.settings.pull_rebase, lambda r: False),
    "git_timeout_seconds": (30.0, lambda p, _: p.git.settings.timeout_seconds, lambda r: 30.0),
    "module_paths": (["mods"], lambda p, _: p.modules.settings.module_paths, lambda r: ("mods",)),
    "dataset_paths": (["sets"], lambda p, _: p.modules.settings.dataset_paths, lambda r: ("sets",)),
    "builtin_modules": (False, lambda p, _: p.modules.settings.builtin_modules, lambda r: False),
    "module_entry_points": (False, lambda p, _: p.modules.settings.entry_points, lambda r: False),
    "convert_idle_seconds": (5.0, lambda p, _: p.convert.settings.idle_seconds, lambda r: 5.0),
    "extract_max_total_mb": (10.0, lambda p, _: p.files.limits.max_total_bytes, lambda r: 10 * MB),
    "extract_max_ratio": (20.0, lambda p, _: p.files.limits.max_ratio, lambda r: 20.0),
    "extract_max_files": (30, lambda p, _: p.files.limits.max_files, lambda r: 30),
    "crowd_max_rounds": (2, lambda p, _: p.crowd.settings.max_rounds, lambda r: 2),
    "crowd_lease_seconds": (60.0, lambda p, _: p.crowd.settings.lease_seconds, lambda r: 60.0),
    "crowd_token_guess_limit": (4, lambda p, _: p.crowd.settings.token_guess_limit, lambda r: 4),
    "mlflow_uri": (
        "http://127.0.0.1:9",
        lambda p, _: p.model_library.settings.mlflow_uri,
        lambda r: "http://127.0.0.1:9",
    ),
    "tensorboard_idle_seconds": (60.0, lambda p, _: p.tensorboard._settings.idle_seconds, lambda r: 60.0),
    "tensorboard_max_instances": (2, lambda p, _: p.tensorboard._settings.max_instances, lambda r: 2),
    "tensorboard_runs_dir": ("tb", lambda p, _: p.tensorboard._settings.runs_dir, lambda r: r / "tb"),
    "deploy_backend": ("ray", lambda p, _: p.deployments.backend.name, lambda r: "ray"),
    "deploy_host": ("127.0.0.2", lambda p, _: p.deployments.settings.host, lambda r: "127.0.0.2"),
    "deploy_port_min": (18500, lambda p, _: p.deployments.settings.port_min, lambda r: 18500),
    "deploy_port_max": (18510, lambda p, _: p.deployments.settings.port_max, lambda r: 18510),
    "deploy_ready_timeout_seconds": (
        60.0,
        lambda p, _: p.deployments.settings.ready_timeout_seconds,
        lambda r: 60.0,
    ),
    "deploy_grace_seconds": (5.0, lambda p, _: p.deployments.settings.grace_seconds, lambda r: 5.0),
    # Read by the app itself when the server has started (server/app.py).
    "freeze_startup_heap": (False, lambda _, app: option_value(app, "freeze_startup_heap"), lambda r: False),
}


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any], jp_root_dir: Path) -> dict[str, Any]:
    values = {name: value for name, (value, _, _) in REACHES.items() if value is not None}
    values["db_url"] = _other_db(jp_root_dir)
    return {**jp_server_config, "JlabPlatform": values}


def test_every_option_has_a_check() -> None:
    assert set(REACHES) == set(OPTIONS)


def test_every_option_set_in_configuration_reaches_its_service(jp_serverapp: Any, jp_root_dir: Path) -> None:
    platform: Platform = jp_serverapp.web_app.settings["jlab_platform"]
    (app,) = jp_serverapp.extension_manager.extension_apps["jlab_platform"]
    root = jp_root_dir.resolve()
    for name, (value, observed, expected) in REACHES.items():
        assert value is None or value != option_default(name), f"{name}: the test sets its default"
        assert observed(platform, app) == expected(root), name


def test_defaults_are_the_declared_ones() -> None:
    app = JlabPlatform()
    for name in OPTIONS:
        assert option_value(app, name) == _as_trait_value(option_default(name)), name
    assert app.max_cpu_jobs == option_default("max_cpu_jobs") >= 1  # the machine's CPU count


class _CustomExecutor(LocalExecutor):
    """A distributed backend plugs in as a class (c.JlabPlatform.job_executor_class)."""


def test_the_executor_class_follows_job_executor_unless_configured() -> None:
    assert JlabPlatform().job_executor_class is LocalExecutor
    config = Config()
    config.JlabPlatform.job_executor = "ray"
    assert JlabPlatform(config=config).job_executor_class is RayExecutor
    config.JlabPlatform.job_executor_class = _CustomExecutor
    assert JlabPlatform(config=config).job_executor_class is _CustomExecutor


def _as_trait_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return str(value) if isinstance(value, Path) else value


def _readme_defaults() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## Configuration") :]
    table = table[: table.index("\n## ", 1)]
    return dict(re.findall(r"^\| `c\.JlabPlatform\.(\w+)` \| ([^|]*) \|", table, flags=re.M))


def test_every_option_is_in_the_readme_table() -> None:
    assert set(_readme_defaults()) == {*OPTIONS, "job_executor_class"}


def test_the_readme_shows_the_declared_defaults() -> None:
    """Where the table gives a default as one plain value, it is the declared one."""
    compared = 0
    for name, cell in _readme_defaults().items():
        shown = re.fullmatch(r"`([^`]+)`", cell.strip())
        declared = option_default(name) if name in OPTIONS else None
        if shown is None or isinstance(declared, tuple) or declared in (None, ""):
            continue
        value = shown.group(1)
        if isinstance(declared, bool):
            assert value == str(declared), name
        elif isinstance(declared, int | float):
            assert float(value) == declared, name
        else:
            assert value == str(declared), name
        compared += 1
    assert compared >= len(OPTIONS) - 6  # all but lists, computed and empty defaults
