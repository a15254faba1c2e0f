"""The deployments API's requests and answers (``/deployments``)."""

from typing import Annotated, Literal

from pydantic import Field

from ..api.models import ApiModel

NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,59}$"

DeploymentName = Annotated[
    str,
    Field(
        pattern=NAME_PATTERN,
        description="A letter first, then letters, digits, '-' or '_'; at most 60 characters.",
    ),
]

DeploymentStatus = Literal["starting", "ready", "failed", "stopped"]
DeploymentKind = Literal["module", "python", "modelarts"]
DeployBackend = Literal["local", "ray"]


class BatchSettings(ApiModel):
    """Adaptive micro-batching: requests arriving within the window are inferred together."""

    max_size: int = Field(default=1, ge=1, le=256, description="Most requests in one batch (1: no batching).")
    window_ms: float = Field(default=5.0, ge=0, le=1000, description="How long a batch waits to fill.")


class CreateDeployment(ApiModel):
    source: str = Field(
        min_length=1,
        max_length=4096,
        description="What to deploy: a module run folder 'results/<module>/<run>', a .py file, a "
        "ModelArts folder (customize_service.py + config.json), all relative to the root, or a model "
        "version 'model:<name>[@<version or alias>]'.",
    )
    name: DeploymentName
    description: str = Field(default="", max_length=2000)
    checkpoint: str | None = Field(
        default=None,
        max_length=255,
        pattern=r"^[^/\\\x00]+$",
        description="A checkpoint file inside the run folder (a file name, not a path); "
        "default: the run's best or last checkpoint.",
    )
    workers: int = Field(default=1, ge=1, le=16, description="Server processes (Ray: replicas).")
    batch: BatchSettings | None = Field(default=None, description="Default: no batching.")
    inputs: list[str] | None = Field(
        default=None, max_length=100, description="Names of the inputs to keep (default: all)."
    )
    outputs: list[str] | None = Field(
        default=None, max_length=100, description="Names of the outputs to keep (default: all)."
    )
    replace: bool = Field(
        default=False,
        description="Deploy a new version of an existing name: it starts on the name's port, and once it "
        "is ready the name points to it and the old one drains (no request fails). Without it an existing "
        "name is a conflict (409).",
    )


class PreviewQuery(ApiModel):
    source: str = Field(min_length=1, max_length=4096, description="As in CreateDeployment.source.")


class IOField(ApiModel):
    """One input or output of a deployed service (from the module spec or ``<notebook>.deploy.yml``)."""

    name: str
    type: str = Field(description="A module spec type: image, str, int, float, bool, path, list[...], ...")
    help: str = ""


class DeploymentPreview(ApiModel):
    """What deploying a source would give, before deploying (the deploy dialog shows it to trim)."""

    source: str
    kind: DeploymentKind
    module: str | None
    suggested_name: str = Field(description="A valid deployment name made from the source.")
    config: str | None = Field(description="The <notebook>.deploy.yml the inputs/outputs were read from.")
    repository: bool = Field(description="The workspace is a git repository (commits can be recorded).")
    checkpoints: list[str] = Field(description="Checkpoint files a module run offers (first: the default).")
    commit: str | None
    uncommitted: bool = Field(description="The workspace has changes no commit holds.")
    model_version: str | None
    inputs: list[IOField]
    outputs: list[IOField]


class KeyInfo(ApiModel):
    """An API key as listed: never the key itself (only its sha256 is stored)."""

    id: str
    created_at: str
    prefix: str = Field(description="The key's first characters, to tell keys apart.")


class Deployment(ApiModel):
    id: str
    name: str
    description: str
    source: str
    kind: DeploymentKind
    module: str | None
    checkpoint: str | None
    commit: str | None
    uncommitted: bool = Field(description="Deployed from the working state with changes no commit holds.")
    model_version: str | None = Field(description="'<name>@<version>' when deployed from the model library.")
    status: DeploymentStatus
    reason: str | None = Field(description="Why it failed or stopped.")
    active: bool = Field(description="The deployment its name points to (others are its history).")
    backend: DeployBackend
    url: str = Field(description="The service's own base URL (callers outside JupyterLab send a key).")
    proxy_url: str = Field(description="The same service under Jupyter's login (no key needed).")
    port: int
    workers: int
    batch: BatchSettings
    rolled_back_from: str | None = Field(description="The deployment whose commit+checkpoint this redeploys.")
    created_by: str | None
    created_at: str
    started_at: str | None
    stopped_at: str | None
    inputs: list[IOField]
    outputs: list[IOField]
    keys: list[KeyInfo]


class DeploymentCreated(Deployment):
    key: str | None = Field(
        description="The API key, shown only in this answer (only its hash is stored); null when a new "
        "version replaced the name's deployment (the name's keys stay valid)."
    )


class DeploymentList(ApiModel):
    deployments: list[Deployment] = Field(description="The deployment each name points to, newest first.")


class DeploymentHistory(ApiModel):
    name: str
    deployments: list[Deployment] = Field(description="Every deployment of the name, newest first.")


class Rollback(ApiModel):
    to: str = Field(min_length=1, max_length=64, description="The id of an earlier deployment of this name.")


class NewKey(ApiModel):
    id: str
    key: str = Field(description="Shown only in this answer.")
    created_at: str
    prefix: str
