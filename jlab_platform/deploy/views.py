"""A deployment's store row as the API shows it."""

from ..store.models import DeploymentRow
from ..timeutil import to_iso
from .models import BatchSettings, Deployment, IOField, KeyInfo

PROXY_PREFIX = "/jlab-platform/deployments"


def http_host(host: str) -> str:
    return f"http://[{host}]" if ":" in host else f"http://{host}"


def deployment_model(row: DeploymentRow, path: str, keys: list[KeyInfo]) -> Deployment:
    """``path``: where the name's routes start on its port ("" or "/<name>" on a shared one)."""
    return Deployment(
        id=row.id,
        name=row.name,
        description=row.description,
        source=row.source,
        kind=row.kind,  # type: ignore[arg-type]
        module=row.module,
        checkpoint=row.checkpoint,
        commit=row.commit,
        uncommitted=row.uncommitted,
        model_version=row.model_version,
        status=row.status,  # type: ignore[arg-type]
        reason=row.reason,
        active=row.active,
        backend=row.backend,  # type: ignore[arg-type]
        url=f"{http_host(row.host)}:{row.port}{path}/",
        proxy_url=f"{PROXY_PREFIX}/{row.name}/",
        port=row.port,
        workers=row.workers,
        batch=BatchSettings(max_size=row.batch_max_size, window_ms=row.batch_window_ms),
        rolled_back_from=row.rolled_back_from,
        created_by=row.created_by,
        created_at=to_iso(row.created_at) or "",
        started_at=to_iso(row.started_at),
        stopped_at=to_iso(row.stopped_at),
        inputs=[IOField.model_validate(f) for f in row.inputs],
        outputs=[IOField.model_validate(f) for f in row.outputs],
        keys=keys,
    )
