"""``service.json``: everything one service process needs, written by the deployment manager.

The runtime reads it once at start (``python -m jlab_platform.deploy.runtime --config
<dir>/service.json --host H --port P``); only the API keys file is read again while it runs.
Paths are absolute: the manager points them into the deployment's immutable snapshot.
"""

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..models import NAME_PATTERN

MAX_IMAGE_BYTES = 4 * 1024 * 1024  # seed 003: "base64 字符串表示的图像，大小不超过 4M"
PROXY_SECRET_ENV = "JLAB_DEPLOY_PROXY_SECRET"
PROXY_HEADER = "X-Jlab-Platform-Proxy"

Kind = Literal["module", "python", "modelarts"]


class FieldSpec(BaseModel):
    """One input or output of the service: a module spec field, or one the .deploy.yml kept.

    ``type`` uses the module spec's names (``image``, ``str``, ``int``, ``float``, ``bool``,
    ``choice``, ``json``, ``list[<type>]``); an ``image`` input arrives as base64 and reaches the
    inference decoded, a ``path`` input is refused (no request field is ever a path).
    """

    model_config = ConfigDict(extra="ignore")

    type: str = "json"
    help: str = ""
    required: bool = True
    default: object = None


class ServiceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_PATTERN)
    kind: Kind
    code_dir: Path  # the deployment's immutable snapshot; the process runs with it as cwd
    entry: str | None = None  # python: the .py file; modelarts: the folder (relative to code_dir)
    module: str | None = None  # kind module: the module's name (e.g. "image-classifier")
    module_dir: Path | None = None  # its folder (main.py + module_spec.yml); None: the built-in one
    run_dir: Path | None = None  # kind module: the run folder (checkpoint) to serve
    checkpoint: str | None = Field(default=None, pattern=r"^[^/\\\x00]+$")  # a file in run_dir
    version: str = "1"  # shown by the OIP v2 metadata route (the model library's version)
    inputs: dict[str, FieldSpec] = Field(default_factory=dict)
    outputs: dict[str, FieldSpec] = Field(default_factory=dict)
    batch_max_size: int = Field(default=1, ge=1, le=1024)
    batch_window_ms: float = Field(default=5.0, ge=0, le=10_000)
    keys_file: Path | None = None  # JSON list of key sha256 digests; None: proxy only
    max_image_bytes: int = Field(default=MAX_IMAGE_BYTES, ge=1)
    max_body_bytes: int = Field(default=8 * MAX_IMAGE_BYTES, ge=1024)  # whole request bodies

    @model_validator(mode="after")
    def _kind_fields(self) -> "ServiceConfig":
        if self.kind == "module" and (self.module is None or self.run_dir is None):
            raise ValueError("kind 'module' needs 'module' and 'run_dir'")
        if self.kind in ("python", "modelarts") and not self.entry:
            raise ValueError(f"kind {self.kind!r} needs 'entry' (a path inside code_dir)")
        return self

    @property
    def entry_path(self) -> Path:
        """``entry`` inside ``code_dir``; a path leaving it is refused."""
        root = self.code_dir.resolve()
        target = (root / (self.entry or "")).resolve()
        if not target.is_relative_to(root):
            raise ValueError(f"entry {self.entry!r} is outside code_dir")
        return target


def read_config(path: Path) -> ServiceConfig:
    return ServiceConfig.model_validate(json.loads(path.read_text(encoding="utf-8")))
