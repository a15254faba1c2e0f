"""The model library from a notebook: ``from jlab_platform.kernel import models``.

>>> models.create("cats", template="image-classifier", data_paths=["datasets/cats"], config={"max_iter": 200})
>>> job = models.train("cats")            # a training task, run as a job
>>> version = models.publish(job)         # waits for it to complete; "1.01"
>>> models.set_alias("cats", "production", version)
>>> predictor = models.load("cats@production")
>>> predictor.predict(images="datasets/new")   # in this kernel, with the template's own predict
>>> models.batch_predict("cats@production", "datasets/test")   # a job; its report when labeled
>>> models.deploy("cats@production")      # the deployment service, when the server has it

Every call goes through the platform server's REST API (``/models``), so the kernel, the
Models panel and other users see the same library. References are ``name`` (the latest
version), ``name@X.YY`` or ``name@alias``.
"""

import os
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .client import ServerConnection, ServerError, find_server
from .modules import Module
from .modules import load as load_module

TRAINING_ENDED = ("completed", "published", "failed", "terminated")
PREDICTION_ENDED = ("completed", "failed", "terminated")


class ModelLibraryError(RuntimeError):
    """The library cannot do what was asked; the message says what to change."""


@dataclass(frozen=True)
class TrainingJob:
    """A training task of a model (``models.train`` returns one; ``models.publish`` takes it)."""

    model: str
    id: str
    job_id: str

    def status(self) -> dict[str, Any]:
        """The training as ``GET /models/{name}/trainings/{id}`` gives it (``state``, ``progress``...)."""
        training: dict[str, Any] = find_server().request(
            "GET", f"models/{_quote(self.model)}/trainings/{_quote(self.id)}"
        )
        return training

    def wait(self, timeout: float | None = None, poll_seconds: float = 1.0) -> dict[str, Any]:
        """Block until the training ends (completed, failed, terminated); return it."""
        return _wait(self.status, TRAINING_ENDED, timeout, poll_seconds)


@dataclass(frozen=True)
class Predictor:
    """A model version loaded in this kernel: ``predict`` runs its template's own predict."""

    name: str
    version: str
    template: str
    run_dir: Path
    module: Module

    def predict(self, images: str | Path, **inputs: Any) -> Any:
        """Predict ``images`` (an image file or a folder of them) with this version."""
        return self.module.predict(images=str(images), checkpoint=str(self.run_dir), **inputs)

    def __repr__(self) -> str:
        shown = f"{self.name}@{self.version}, template={self.template!r}"
        return f"Predictor({shown}, run_dir={str(self.run_dir)!r})"


def create(
    name: str,
    template: str = "image-classifier",
    data_paths: list[str] | None = None,
    config: dict[str, Any] | None = None,
    description: str = "",
    env: str = "cpu",
) -> dict[str, Any]:
    """Create a model (no training yet: ``train`` starts one). Returns it as the server does."""
    server = find_server()
    body = {
        "name": name,
        "template": template,
        "description": description,
        "data_paths": [server.root_relative(str(path)) for path in data_paths or []],
        "config": config or {},
        "env": env,
        "train": False,
    }
    model: dict[str, Any] = server.request("POST", "models", body)
    return model


def train(
    name: str,
    data_paths: list[str] | None = None,
    config: dict[str, Any] | None = None,
    from_version: str | None = None,
    env: str = "cpu",
) -> TrainingJob:
    """Start a training task of ``name`` (``from_version``: retrain that version with its config).

    ``data_paths`` are added to the model's; ``config`` overrides its training parameters.
    """
    server = find_server()
    body: dict[str, Any] = {
        "data_paths": [server.root_relative(str(path)) for path in data_paths or []],
        "env": env,
    }
    if config is not None:
        body["config"] = config
    if from_version is not None:
        body["from_version"] = from_version
    training = server.request("POST", f"models/{_quote(name)}/trainings", body)
    return TrainingJob(model=name, id=str(training["id"]), job_id=str(training["job_id"]))


def publish(job: TrainingJob | str, timeout: float | None = None) -> str:
    """Publish a training (a ``TrainingJob`` or its job id) as the next version; return ``X.YY``.

    Waits for the training to end first; a training that did not complete cannot be published.
    """
    server = find_server()
    training = job if isinstance(job, TrainingJob) else _training_of_job(server, job)
    ended = training.wait(timeout)
    if ended["state"] not in ("completed", "published"):
        reason = f": {ended['reason']}" if ended.get("reason") else ""
        raise ModelLibraryError(
            f"Training {training.id} of {training.model!r} is {ended['state']}{reason}; "
            f"only a completed training can be published (see job {training.job_id})"
        )
    version = server.request(
        "POST", f"models/{_quote(training.model)}/versions", {"training_id": training.id}
    )
    return str(version["version"])


def set_alias(name: str, alias: str, version: str) -> dict[str, Any]:
    """Point ``alias`` (``production``, ``staging``...) of ``name`` at ``version``."""
    moved: dict[str, Any] = find_server().request(
        "PUT", f"models/{_quote(name)}/aliases/{_quote(alias)}", {"version": version}
    )
    return moved


def versions(name: str) -> list[dict[str, Any]]:
    """The model's versions, highest first (number, commit, data, metrics, aliases...)."""
    found: list[dict[str, Any]] = find_server().request("GET", f"models/{_quote(name)}/versions")["versions"]
    return found


def load(ref: str) -> Predictor:
    """Load a version (``name``, ``name@X.YY`` or ``name@alias``) in this kernel to predict with."""
    server = find_server()
    name, selector = _split(ref)
    query = "" if selector is None else "?" + urllib.parse.urlencode({"version": selector})
    run = server.request("GET", f"models/{_quote(name)}/run{query}")
    run_dir = Path(run["run_dir"])
    if not run_dir.is_absolute():
        run_dir = _root(server) / run_dir
    return Predictor(
        str(run["name"]), str(run["version"]), str(run["template"]), run_dir, load_module(run["template"])
    )


def batch_predict(
    ref: str, data_path: str, env: str = "cpu", wait: bool = True, timeout: float | None = None
) -> dict[str, Any]:
    """Predict every image of ``data_path`` with a version, as a job (题库预测).

    Returns the batch prediction (``wait``: once it ended): ``output`` is the folder with
    ``predictions.csv``/``predictions.json``, ``report`` the evaluation id when the data is labeled.
    """
    server = find_server()
    name, selector = _split(ref)
    version = _version_number(server, name, selector)
    base = f"models/{_quote(name)}/versions/{_quote(version)}/batch-predictions"
    started = server.request("POST", base, {"data_path": server.root_relative(data_path), "env": env})
    if not wait:
        return dict(started)

    def current() -> dict[str, Any]:
        found: dict[str, Any] = find_server().request("GET", f"{base}/{_quote(str(started['id']))}")
        return found

    ended = _wait(current, PREDICTION_ENDED, timeout, 1.0)
    if ended["state"] != "completed":
        raise ModelLibraryError(
            f"The batch prediction of {name}@{version} on {data_path} {ended['state']} "
            f"(see job {ended['job_id']})"
        )
    return ended


def deploy(ref: str, name: str | None = None, **options: Any) -> dict[str, Any]:
    """Deploy a version or an alias (``cats@production``) as a service; ``options`` as POST /deployments."""
    model, _ = _split(ref)
    body = {"source": f"model:{ref}", "name": name or model, **options}
    try:
        deployment: dict[str, Any] = find_server().request("POST", "deployments", body, timeout=120)
    except ServerError as exc:
        if exc.status == 404 and exc.error == "Not Found" and not exc.detail:  # Jupyter's: no such route
            raise ModelLibraryError(
                "This server has no deployment service (POST /deployments is not there): "
                "update jlab_platform on the server, or export the version and serve it yourself."
            ) from None
        raise
    return deployment


# -- internals -----------------------------------------------------------------


def _split(ref: str) -> tuple[str, str | None]:
    name, _, selector = ref.strip().partition("@")
    if not name or (_ and not selector):
        raise ModelLibraryError(
            f"{ref!r} is not a model reference: write name, name@X.YY or name@alias (e.g. cats@production)"
        )
    return name, selector or None


def _version_number(server: ServerConnection, name: str, selector: str | None) -> str:
    """``X.YY`` of a version, an alias or (None) the latest version."""
    if selector is None:
        latest = server.request("GET", f"models/{_quote(name)}")["latest_version"]
        if latest is None:
            raise ModelLibraryError(f"Model {name!r} has no published version yet: publish a training first")
        return str(latest)
    return str(server.request("GET", f"models/{_quote(name)}/versions/{_quote(selector)}")["version"])


def _training_of_job(server: ServerConnection, job_id: str) -> TrainingJob:
    query = urllib.parse.urlencode({"job_id": job_id})
    found = server.request("GET", f"models/trainings?{query}")["trainings"]
    if not found:
        raise ModelLibraryError(f"Job {job_id!r} is not a training of the model library")
    training = found[0]
    return TrainingJob(model=str(training["model"]), id=str(training["id"]), job_id=job_id)


def _root(server: ServerConnection) -> Path:
    """The server's root: a kernel knows it from the server, a job from its environment."""
    root = server.root_dir or os.environ.get("JLAB_WORKSPACE_DIR")
    if not root:
        raise ModelLibraryError("Cannot tell the server's root folder: set JLAB_WORKSPACE_DIR to it")
    return Path(root)


def _wait(
    fetch: Callable[[], dict[str, Any]], ended: tuple[str, ...], timeout: float | None, poll_seconds: float
) -> dict[str, Any]:
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        current: dict[str, Any] = fetch()
        if current["state"] in ended:
            return current
        if deadline is not None and time.monotonic() >= deadline:
            raise TimeoutError(f"Still {current['state']} after {timeout} s")
        time.sleep(poll_seconds)


def _quote(part: str) -> str:
    return urllib.parse.quote(part, safe="")
