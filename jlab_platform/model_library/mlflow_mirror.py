"""Published versions mirrored to an MLflow tracking server's Model Registry (``c.JlabPlatform.mlflow_uri``).

The platform's store stays the record; the mirror lets tools that speak MLflow find the models
beyond this machine. A version becomes one MLflow run (experiment ``jlab-platform/<model>``,
the checkpoint as its artifact, the metrics, the config as params) and a registered model
version whose source is that artifact. MLflow numbers versions 1, 2, ...: ours (``1.02``) is
the tag ``jlab.version``, and the git commit, job, data hash and checkpoint hash are tags too.
Aliases follow ours. Both calls block on the network and never raise: a failure is logged and
returned, so a publish or an alias move never fails because MLflow is away.
"""

import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .models import Version

LOG = logging.getLogger("jlab_platform.model_library.mlflow")
VERSION_TAG = "jlab.version"
EXPERIMENT_PREFIX = "jlab-platform/"
ARTIFACT_PATH = "checkpoint"
_HEALTH_TIMEOUT = 5.0
_MAX_PARAM = 6000  # MLflow's limit on a param value's length


@dataclass(frozen=True)
class MirrorResult:
    ok: bool
    mlflow_version: str | None = None  # the registered model version's number in MLflow
    error: str | None = None


def mirror_version(uri: str, version: Version, checkpoint: Path) -> MirrorResult:
    """Register ``version`` (its ``checkpoint``: a file or a folder) and its aliases in MLflow.

    Mirroring the same version again finds the one already there (a retry adds nothing).
    """
    try:
        client = _client(uri)
        existing = _find(client, version.model, version.version)
        if existing is None:
            _ensure_registered_model(client, version.model)
            run_id = _log_run(client, version, checkpoint)
            source = f"{client.get_run(run_id).info.artifact_uri}/{ARTIFACT_PATH}"
            created = client.create_model_version(
                version.model, source, run_id=run_id, tags=_tags(version), await_creation_for=0
            )
            number = str(created.version)
        else:
            number = str(existing.version)
        for alias in version.aliases:
            client.set_registered_model_alias(version.model, alias, number)
    except Exception as exc:
        return _failed(f"mirror {version.model}@{version.version}", exc)
    LOG.info("Mirrored %s@%s to MLflow as version %s", version.model, version.version, number)
    return MirrorResult(ok=True, mlflow_version=number)


def mirror_alias(uri: str, name: str, alias: str, version: str | None) -> MirrorResult:
    """Point MLflow's ``alias`` of ``name`` at our ``version`` (``None``: the alias was deleted)."""
    try:
        client = _client(uri)
        if version is None:
            client.delete_registered_model_alias(name, alias)
            return MirrorResult(ok=True)
        found = _find(client, name, version)
        if found is None:
            raise LookupError(f"{name}@{version} is not in MLflow (its publish was not mirrored)")
        client.set_registered_model_alias(name, alias, str(found.version))
    except Exception as exc:
        return _failed(f"move alias {name}@{alias}", exc)
    return MirrorResult(ok=True, mlflow_version=str(found.version))


def _client(uri: str) -> Any:
    try:
        from mlflow import MlflowClient
    except ImportError:
        raise RuntimeError("mlflow is not installed: pip install 'jlab-platform[mlflow]'") from None
    if uri.startswith(("http://", "https://")):
        _check_reachable(uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def _check_reachable(uri: str) -> None:
    """One quick look first: MLflow's client retries an unreachable server for minutes."""
    try:
        with urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=_HEALTH_TIMEOUT):
            pass
    except urllib.error.HTTPError:
        return  # it answers (a proxy in front may not know /health)
    except (OSError, ValueError) as exc:
        raise ConnectionError(f"MLflow at {uri} cannot be reached: {exc}") from None


def _find(client: Any, name: str, version: str) -> Any:
    from mlflow.exceptions import MlflowException

    try:
        found = client.search_model_versions(f"name = '{name}' and tags.`{VERSION_TAG}` = '{version}'")
    except MlflowException as exc:
        if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
            return None
        raise
    return found[0] if found else None


def _ensure_registered_model(client: Any, name: str) -> None:
    from mlflow.exceptions import MlflowException

    try:
        client.create_registered_model(name, description="Mirrored from jlab_platform's model library.")
    except MlflowException as exc:
        if exc.error_code != "RESOURCE_ALREADY_EXISTS":
            raise


def _log_run(client: Any, version: Version, checkpoint: Path) -> str:
    from mlflow.entities import Metric, Param

    experiment_name = EXPERIMENT_PREFIX + version.model
    experiment = client.get_experiment_by_name(experiment_name)
    experiment_id = (
        experiment.experiment_id if experiment is not None else client.create_experiment(experiment_name)
    )
    run = client.create_run(
        experiment_id, tags={"mlflow.runName": f"{version.model}@{version.version}", **_tags(version)}
    )
    run_id: str = run.info.run_id
    try:
        params = [Param(str(key), str(value)[:_MAX_PARAM]) for key, value in sorted(version.config.items())]
        now = int(time.time() * 1000)
        metrics = [Metric(key, float(value), now, 0) for key, value in sorted(version.metrics.items())]
        client.log_batch(run_id, metrics=metrics, params=params)
        if checkpoint.is_dir():
            client.log_artifacts(run_id, str(checkpoint), ARTIFACT_PATH)
        else:
            client.log_artifact(run_id, str(checkpoint), ARTIFACT_PATH)
    except BaseException:
        client.set_terminated(run_id, "FAILED")
        raise
    client.set_terminated(run_id, "FINISHED")
    return run_id


def _tags(version: Version) -> dict[str, str]:
    tags = {
        VERSION_TAG: version.version,
        "jlab.template": f"{version.template} {version.template_version}",
        "jlab.job": version.job_id,
        "jlab.data_hash": version.data_hash,
        "jlab.checkpoint_sha256": version.checkpoint_sha256,
        "jlab.published_by": version.published_by,
    }
    if version.commit:
        tags["jlab.commit"] = version.commit
    return tags


def _failed(what: str, exc: Exception) -> MirrorResult:
    error = f"{type(exc).__name__}: {exc}"
    LOG.warning("MLflow mirror: cannot %s: %s", what, error)
    return MirrorResult(ok=False, error=error)
