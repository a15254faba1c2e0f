"""Every ``c.JlabPlatform.*`` option, declared once: name, type, default and help.

The server's configurable traits are generated from these declarations
(server/options.py) and each domain's settings are built from the resulting
``PlatformSettings`` (platform.py), so a default is written here and nowhere else.
Adding an option: one field below, read it where the service is built, one row in
the README's Configuration table.
"""

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

OPTION = "option"  # field metadata key: the help text of a c.JlabPlatform option
DERIVED = "derived"  # field metadata key: what a computed, non-configurable field holds


def option(default: Any = MISSING, help: str = "", *, factory: Callable[[], Any] | None = None) -> Any:
    """A configurable field: ``name: type = option(default, "help")``.

    ``factory`` instead of ``default`` gives a default computed when settings are made
    (the machine's CPU count); tuples are immutable, so they are plain defaults.
    """
    metadata = {OPTION: help}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def derived(help: str, *, init: bool = True) -> Any:
    """A field computed by the server or from options (never a c.JlabPlatform option)."""
    return field(init=init, metadata={DERIVED: help})


def cpu_count() -> int:
    return os.cpu_count() or 1


def default_db_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'platform.db'}"


_SHARE = os.path.join(sys.prefix, "share", "jlab_platform")

JobExecutorName = Literal["local", "ray"]


@dataclass(frozen=True)
class PlatformSettings:
    root_dir: Path = derived("The server's root directory (ServerApp.root_dir), resolved.")

    data_dir: Path = option(
        Path(".jlab_platform"),
        "Where the platform keeps its store, job snapshots and captures; relative to the "
        "server's root directory unless absolute. Git-ignored by the platform.",
    )
    results_dir_name: str = option(
        "results", "Folder under the root directory that jobs and modules write results to."
    )
    db_url: str = option(
        "", "SQLAlchemy database URL of the store (default: SQLite in WAL mode in data_dir)."
    )
    gpu_count: int = option(-1, "Number of GPUs the platform schedules on; -1 detects them with nvidia-smi.")
    max_cpu_jobs: int = option(
        help="How many cpu jobs run at once; more wait as pending (default: the number of CPU cores).",
        factory=cpu_count,
    )
    job_grace_seconds: float = option(10.0, "Seconds between SIGTERM and SIGKILL when a job is terminated.")
    job_retention_days: float = option(
        7.0, "Days a job's snapshot is kept after the job ends (restart needs it)."
    )
    job_poll_seconds: float = option(0.5, "How often the scheduler looks at running jobs.")
    job_executor: JobExecutorName = option(
        "local",
        "Where cpu/gpu jobs run: 'local' (this machine, supervised processes) or 'ray' "
        "(a Ray cluster through its Jobs API; pip install 'jlab_platform[ray]').",
    )
    job_cluster_address: str = option(
        "",
        "The cluster's address for the ray executor (its dashboard / Jobs API URL, e.g. "
        "http://head-node:8265); default $RAY_ADDRESS or http://127.0.0.1:8265.",
    )
    job_cpus: float = option(1.0, "CPUs each job asks of a cluster (Ray's entrypoint_num_cpus).")
    max_pending_jobs_per_user: int = option(
        50, "Submissions are refused (409) while this many jobs of this server wait to run; 0: no limit."
    )
    max_snapshot_total_mb: float = option(
        10240.0,
        "Submissions are refused (409) when job snapshots would take more than this many MiB "
        "(finished jobs keep theirs for job_retention_days); 0: no limit.",
    )
    git_max_file_mb: float = option(50.0, "Sync refuses to commit files larger than this many megabytes.")
    git_pull_rebase: bool = option(
        True, "Sync rebases local commits onto the remote (False: merges instead)."
    )
    git_timeout_seconds: float = option(
        120.0, "Seconds any one git command may take before it is stopped (git never prompts)."
    )
    module_paths: tuple[str, ...] = option(
        ("modules", os.path.join(_SHARE, "modules")),
        "Folders searched for modules (folders with main.py and module_spec.yml): relative to "
        "the root directory (the workspace) or absolute (shared, platform-wide). Earlier ones win "
        "when two modules have the same name.",
    )
    dataset_paths: tuple[str, ...] = option(
        ("datasets", os.path.join(_SHARE, "datasets")),
        "Folders searched for datasets (one folder per dataset), relative to the root or absolute.",
    )
    builtin_modules: bool = option(
        True, "List the modules shipped with jlab_platform (image-classifier, ...)."
    )
    module_entry_points: bool = option(
        True,
        "List modules that installed packages declare in the 'jlab_platform.modules' entry point group.",
    )
    convert_idle_seconds: float = option(
        600.0,
        "Seconds the model conversion worker (a process with TensorFlow loaded) stays warm "
        "after a conversion; the next conversion after that starts it again (~3 s).",
    )
    extract_max_total_mb: float = option(
        20480.0, "Extraction refuses archives that expand to more than this many megabytes."
    )
    extract_max_ratio: float = option(
        200.0,
        "Extraction refuses archives that expand more than this many times their size "
        "(archive bombs); applies above 64 MB of content.",
    )
    extract_max_files: int = option(100_000, "Extraction refuses archives with more entries than this.")
    crowd_max_rounds: int = option(
        3, "Most active-learning rounds a labeling task may have (the seed's rule: 3)."
    )
    crowd_lease_seconds: float = option(
        300.0, "Seconds a sample shown to a labeler stays reserved for them; then others may get it."
    )
    crowd_token_guess_limit: int = option(
        10, "Invalid labeling links one address may send per minute before it is refused for a while."
    )
    mlflow_uri: str = option(
        "",
        "An MLflow tracking server (http://host:port) whose Model Registry mirrors the model library: "
        "each published version and alias move; empty: no mirror.",
    )
    tensorboard_idle_seconds: float = option(
        1800.0,
        "Seconds a TensorBoard instance keeps running without requests; it starts again "
        "(a few seconds) on the next one.",
    )
    tensorboard_max_instances: int = option(
        4, "Most TensorBoard instances running at once; the one used longest ago stops first."
    )
    tensorboard_runs_dir: str = option(
        "results/tensorboard",
        "Where each job's (and module training's) metrics are written as a TensorBoard run "
        "<job name>-<job id>/; relative to the root directory unless absolute.",
    )
    deploy_backend: JobExecutorName = option(
        "local",
        "Where deployments run: 'local' (a supervised process per deployment on this machine) or "
        "'ray' (a Ray Serve application per name on the cluster at job_cluster_address; Serve's "
        "proxy listens on deploy_host:deploy_port_min; pip install 'jlab_platform[ray]').",
    )
    deploy_host: str = option(
        "127.0.0.1", "The address deployed services listen on (each needs its API key from outside)."
    )
    deploy_port_min: int = option(18100, "The first port deployed services are given (one per name).")
    deploy_port_max: int = option(18199, "The last port deployed services are given.")
    deploy_ready_timeout_seconds: float = option(
        300.0, "A deployment that has not loaded its model after this many seconds is failed (and stopped)."
    )
    deploy_grace_seconds: float = option(
        30.0, "Seconds a stopped or replaced service may take to finish its requests before SIGKILL."
    )
    freeze_startup_heap: bool = option(
        True,
        "Once the server has started, exempt the objects made at startup (modules, classes, "
        "configuration: most of the heap) from the garbage collector's full passes (gc.freeze). "
        "A full pass over them stalls every request for about 0.1 s, and a busy server (many "
        "labelers) triggers one every few seconds.",
    )

    results_dir: Path = derived("root_dir / results_dir_name.", init=False)

    def __post_init__(self) -> None:
        # Frozen: the computed fields are set once, here.
        data_dir = self.in_root(self.data_dir)
        object.__setattr__(self, "data_dir", data_dir)
        object.__setattr__(self, "results_dir", self.root_dir / self.results_dir_name)
        if not self.db_url:
            object.__setattr__(self, "db_url", default_db_url(data_dir))
        for name in ("module_paths", "dataset_paths"):  # configuration gives lists
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def in_root(self, path: str | Path) -> Path:
        """A configured folder: relative to the root directory unless absolute (``~`` expanded)."""
        folder = Path(path).expanduser()
        return folder if folder.is_absolute() else self.root_dir / folder

    @property
    def configured_gpus(self) -> int | None:
        """The GPU count set in configuration; None: detect them."""
        return None if self.gpu_count < 0 else self.gpu_count

    @classmethod
    def from_options(cls, root_dir: Path, values: Mapping[str, Any]) -> "PlatformSettings":
        """Settings from option values by name (the server's traits); unknown names are an error."""
        unknown = set(values) - set(OPTIONS)
        if unknown:
            raise TypeError(f"not jlab_platform options: {sorted(unknown)}")
        return cls(root_dir=root_dir, **values)


def _options() -> dict[str, Field[Any]]:
    return {f.name: f for f in fields(PlatformSettings) if OPTION in f.metadata}


OPTIONS: dict[str, Field[Any]] = _options()
OPTION_TYPES: dict[str, Any] = {
    name: hint for name, hint in get_type_hints(PlatformSettings).items() if name in OPTIONS
}


def option_default(name: str) -> Any:
    """The declared default of an option (domains use it when built without a server)."""
    declared = OPTIONS[name]
    if declared.default_factory is not MISSING:
        return declared.default_factory()
    return declared.default


def option_choices(name: str) -> tuple[str, ...] | None:
    """The allowed values of a Literal-typed option."""
    hint = OPTION_TYPES[name]
    return get_args(hint) if get_origin(hint) is Literal else None
