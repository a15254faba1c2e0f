"""Deployments: create, find again, stop, start, roll back and delete services by name.

A name has a history of deployments; exactly one is *active* (the one its URL serves). Each
deployment runs from an immutable snapshot (the source copied at deploy time, bound to the
workspace's commit), on the name's port. Rolling back starts an earlier deployment's snapshot
as a new process on the same port (SO_REUSEPORT), waits until it is ready, points the name at
it and lets the old process drain.
"""

import secrets
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..errors import Conflict, InvalidInput, NotFound, Unavailable
from ..files.atomic import make_private_dir, write_atomic
from ..jobs.records import LOG_FILE
from ..store import Store
from ..store.models import DeploymentRow
from ..timeutil import utcnow
from .export import write_bundle
from .keys import KeyRing
from .models import (
    BatchSettings,
    CreateDeployment,
    Deployment,
    DeploymentCreated,
    DeploymentHistory,
    DeploymentList,
    DeploymentPreview,
    NewKey,
)
from .process import SERVICE_FILE, Launched, ProcessState
from .runtime.config import ServiceConfig
from .snapshots import snapshot_source
from .sources import Source, SourceFinder, checked_checkpoint, suggested_name, trimmed
from .views import deployment_model, http_host

RESERVED_NAMES = ("preview",)
RUNNING = ("starting", "ready")
_SECRET_FILE = ".proxy-secret"
# What a rollback takes over from the deployment it serves again.
_REDEPLOYED = (
    "name", "description", "source", "kind", "module", "checkpoint", "commit", "uncommitted", "model_version",
    "workers", "batch_max_size", "batch_window_ms", "snapshot_id", "inputs", "outputs", "created_by",
)  # fmt: skip


class Backend(Protocol):
    name: str

    def launch(self, folder: Path, config: ServiceConfig, host: str, port: int, workers: int) -> Launched: ...

    def state(self, folder: Path, pid: int | None, started: float | None) -> ProcessState: ...

    def stop(self, folder: Path, pid: int | None, started: float | None) -> None: ...

    def wait_ended(self, folder: Path, pid: int | None, started: float | None, timeout: float) -> bool: ...

    def revert(self, folder: Path, pid: int | None, started: float | None) -> None:
        """Give up a new deployment that did not become ready (the active one keeps serving)."""

    def port_free(self, host: str, port: int) -> bool: ...

    def shared_port(self) -> int | None:
        """The one port every name is served on (under ``path``), or None: a port per name."""

    def path(self, name: str) -> str:
        """Where a name's routes start on its port: "" or "/<name>"."""

    def sync_log(self, folder: Path) -> None:
        """Bring the deployment's log file up to date with what its service wrote elsewhere."""


@dataclass(frozen=True)
class DeploySettings:
    data_dir: Path
    results_dir: Path
    host: str
    port_min: int
    port_max: int
    grace_seconds: float
    ready_timeout_seconds: float


@dataclass(frozen=True)
class GitState:
    repository: bool
    commit: str | None
    uncommitted: bool


class DeploymentService:
    def __init__(
        self,
        store: Store,
        settings: DeploySettings,
        finder: SourceFinder,
        git_state: Callable[[], GitState],
        backend: Callable[[str], Backend],
    ) -> None:
        self.store = store
        self.settings = settings
        self.finder = finder
        self.git_state = git_state
        self.folder = settings.data_dir / "deployments"
        make_private_dir(self.folder)
        self.keys = KeyRing(store, self.folder / "keys")
        make_private_dir(self.keys.folder)
        self.proxy_secret = self._proxy_secret()
        self.backend = backend(self.proxy_secret)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    # -- reading ----------------------------------------------------------------

    def preview(self, source: str) -> DeploymentPreview:
        found = self.finder.find(source)
        git = self._git(found)
        return DeploymentPreview(
            source=found.source,
            kind=found.kind,
            module=found.module,
            suggested_name=suggested_name(found.source),
            config=found.config,
            repository=git.repository,
            checkpoints=found.checkpoints,
            commit=git.commit,
            uncommitted=git.uncommitted,
            model_version=found.model_version,
            inputs=found.inputs,
            outputs=found.outputs,
        )

    def list_deployments(self) -> DeploymentList:
        with self.store.session() as session:
            rows = session.scalars(
                select(DeploymentRow)
                .where(DeploymentRow.active.is_(True))
                .order_by(DeploymentRow.created_at.desc())
            ).all()
            return DeploymentList(deployments=[self._model(session, row) for row in rows])

    def get(self, name: str) -> Deployment:
        with self.store.session() as session:
            return self._model(session, self._active(session, name))

    def history(self, name: str) -> DeploymentHistory:
        with self.store.session() as session:
            rows = self._history(session, name)
            return DeploymentHistory(name=name, deployments=[self._model(session, row) for row in rows])

    def log_path(self, name: str) -> Path:
        with self.store.session() as session:
            folder = self.folder / self._active(session, name).id
        self.backend.sync_log(folder)
        return folder / LOG_FILE

    def target(self, name: str) -> str:
        """Where the proxy sends requests for ``name``: only a service this platform started."""
        with self.store.session() as session:
            row = self._active(session, name)
            self._refresh(row)
            if row.status not in RUNNING:
                raise Unavailable(
                    f"Deployment {name!r} is {row.status}", "Start it (or roll back to a working deployment)."
                )
            return f"{http_host(row.host)}:{row.port}{self.backend.path(row.name)}"

    # -- changing ---------------------------------------------------------------

    def create(self, request: CreateDeployment, user: str | None) -> DeploymentCreated:
        name = request.name
        if name in RESERVED_NAMES:
            raise InvalidInput(f"{name!r} is a reserved name", "Choose another name.", field="name")
        with self._name_lock(name):
            with self.store.session() as session:
                exists = self._find_active(session, name) is not None
            if exists and not request.replace:
                raise Conflict(
                    f"A deployment named {name!r} exists",
                    "Deploy with replace to serve a new version under this name, choose another name, "
                    "or delete it first.",
                    field="name",
                )
            if request.replace and not exists:
                raise NotFound(
                    f"No deployment named {name!r} to replace", "Deploy it without replace.", field="name"
                )
            found = self.finder.find(request.source)
            checkpoint = checked_checkpoint(found, request.checkpoint)
            inputs = trimmed(found.inputs, request.inputs, "inputs")
            outputs = trimmed(found.outputs, request.outputs, "outputs")
            git = self._git(found)
            batch = request.batch or BatchSettings()
            row = DeploymentRow(
                id=uuid.uuid4().hex,
                name=name,
                description=request.description,
                source=found.source,
                kind=found.kind,
                module=found.module,
                checkpoint=checkpoint,
                commit=git.commit,
                uncommitted=git.uncommitted,
                model_version=found.model_version,
                status="starting",
                active=not exists,
                backend=self.backend.name,
                host=self.settings.host,
                port=0 if exists else self._free_port(),
                workers=request.workers,
                batch_max_size=batch.max_size,
                batch_window_ms=batch.window_ms,
                created_by=user,
                created_at=utcnow(),
                inputs=[f.model_dump() for f in inputs],
                outputs=[f.model_dump() for f in outputs],
            )
            row.snapshot_id = row.id
            folder = self.folder / row.id
            make_private_dir(folder)
            key = None
            try:
                config = snapshot_source(
                    folder / "code",
                    found,
                    name,
                    request.checkpoint,  # only a chosen one: a module's load() finds its default itself
                    inputs,
                    outputs,
                    git.commit,
                    self.keys.keys_file(name),
                    self.settings.data_dir,
                    self.settings.results_dir,
                ).model_copy(update={"batch_max_size": batch.max_size, "batch_window_ms": batch.window_ms})
                if exists:
                    self._switch(row, config)
                else:
                    key = self.keys.create(name)
                    self._launch(row, config)
                    with self.store.session() as session:
                        session.add(row)
            except BaseException:
                if not exists:
                    self.keys.delete_all(name)
                    shutil.rmtree(folder, ignore_errors=True)
                raise
            created = self.deployment(row.id)
        return DeploymentCreated(**created.model_dump(), key=key.key if key else None)

    def stop(self, name: str) -> Deployment:
        with self._name_lock(name):
            with self.store.session() as session:
                row = self._active(session, name)
                self._refresh(row)
                running = row.status in RUNNING
                if running:
                    self._stop(row, "stopped on request")
            if running:  # outside the transaction: the store stays writable while it drains
                self.backend.wait_ended(
                    self.folder / row.id,
                    row.supervisor_pid,
                    row.supervisor_started,
                    self.settings.grace_seconds + 5,
                )
            return self.deployment(row.id)

    def start(self, name: str) -> Deployment:
        with self._name_lock(name):
            with self.store.session() as session:
                row = self._active(session, name)
                self._refresh(row)
                if row.status in RUNNING:
                    raise Conflict(f"Deployment {name!r} is {row.status}", "Stop it first to start it again.")
                self._check_port(row.host, row.port)
                self._launch(row, self._config(row.id))
                return self._model(session, row)

    def rollback(self, name: str, to: str) -> Deployment:
        with self._name_lock(name):
            with self.store.session() as session:
                target = session.get(DeploymentRow, to)
                if target is None or target.name != name:
                    raise NotFound(
                        f"Deployment {name!r} has no earlier deployment {to!r}",
                        "Pick an id from the name's history.",
                        field="to",
                    )
                row = DeploymentRow(
                    id=uuid.uuid4().hex,
                    **{column: getattr(target, column) for column in _REDEPLOYED},
                    status="starting",
                    active=False,
                    backend=self.backend.name,
                    rolled_back_from=target.id,
                    created_at=utcnow(),
                )
            make_private_dir(self.folder / row.id)
            self._switch(row, self._config(target.id))
            return self.deployment(row.id)

    def delete(self, name: str) -> None:
        with self._name_lock(name):
            with self.store.session() as session:
                rows = self._history(session, name)
                for row in rows:
                    self._refresh(row)
                    if row.status in RUNNING:
                        self._stop(row, "deleted")
            for row in rows:
                self.backend.wait_ended(
                    self.folder / row.id,
                    row.supervisor_pid,
                    row.supervisor_started,
                    self.settings.grace_seconds + 5,
                )
            with self.store.session() as session:
                for row in rows:
                    session.execute(delete(DeploymentRow).where(DeploymentRow.id == row.id))
            for row in rows:
                shutil.rmtree(self.folder / row.id, ignore_errors=True)
            self.keys.delete_all(name)

    def new_key(self, name: str) -> NewKey:
        self.get(name)
        return self.keys.create(name)

    def revoke_key(self, name: str, key_id: str) -> None:
        self.get(name)
        self.keys.revoke(name, key_id)

    def export(self, name: str) -> Path:
        """The name's active deployment as a "本地一键部署" zip (a temporary file the caller deletes)."""
        with self.store.session() as session:
            row = self._active(session, name)
        config = self._config(row.id)
        return write_bundle(config, config.code_dir)

    # -- helpers ----------------------------------------------------------------

    def _name_lock(self, name: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(name, threading.Lock())

    def deployment(self, deployment_id: str) -> Deployment:
        with self.store.session() as session:
            row = session.get(DeploymentRow, deployment_id)
            if row is None:
                raise NotFound(f"No deployment {deployment_id!r}", "List the deployments to see them.")
            return self._model(session, row)

    def _switch(self, row: DeploymentRow, config: ServiceConfig) -> None:
        """Start ``row`` on its name's port beside the active deployment; once it is ready, point the
        name at it and let the old process drain. Until then the old one keeps serving."""
        with self.store.session() as session:
            current = self._active(session, row.name)
            self._refresh(current)
            if current.status not in RUNNING:
                self._check_port(current.host, current.port)
            row.host, row.port, row.created_by = (
                current.host,
                current.port,
                row.created_by or current.created_by,
            )
            self._launch(row, config)
            session.add(row)
        ready = self._wait_ready(row)
        with self.store.session() as session:
            new = session.get(DeploymentRow, row.id)
            assert new is not None
            if ready.status == "ready":
                current = self._active(session, row.name)
                current.active, new.active, new.status = False, True, "ready"
                if current.status in RUNNING:
                    self._stop(current, f"replaced by deployment {new.id}")
            else:
                self.backend.revert(self.folder / new.id, new.supervisor_pid, new.supervisor_started)
                new.status, new.reason, new.stopped_at = "failed", ready.reason, utcnow()
        if ready.status != "ready":
            raise Conflict(
                f"The new deployment of {row.name!r} did not become ready: {ready.reason}",
                "The current deployment keeps serving; the new one's log is in the name's history.",
            )

    def _find_active(self, session: Session, name: str) -> DeploymentRow | None:
        return session.scalars(
            select(DeploymentRow).where(DeploymentRow.name == name, DeploymentRow.active.is_(True))
        ).first()

    def _active(self, session: Session, name: str) -> DeploymentRow:
        row = self._find_active(session, name)
        if row is None:
            raise NotFound(f"No deployment named {name!r}", "List the deployments to see their names.")
        return row

    def _history(self, session: Session, name: str) -> list[DeploymentRow]:
        rows = list(
            session.scalars(
                select(DeploymentRow)
                .where(DeploymentRow.name == name)
                .order_by(DeploymentRow.created_at.desc())
            )
        )
        if not rows:
            raise NotFound(f"No deployment named {name!r}", "List the deployments to see their names.")
        return rows

    def _refresh(self, row: DeploymentRow) -> None:
        """Bring a running row up to date with its process (ready, or failed with the reason)."""
        if row.status not in RUNNING:
            return
        found = self.backend.state(self.folder / row.id, row.supervisor_pid, row.supervisor_started)
        if found.status == "starting" and row.started_at is not None:
            waited = (utcnow() - row.started_at).total_seconds()
            if waited > self.settings.ready_timeout_seconds:
                self._stop(row, f"not ready after {self.settings.ready_timeout_seconds:g} s")
                row.status = "failed"
                return
        if found.status != row.status:
            row.status, row.reason = found.status, found.reason
            if found.status == "failed":
                row.stopped_at = utcnow()

    def _wait_ready(self, row: DeploymentRow) -> ProcessState:
        deadline = time.monotonic() + self.settings.ready_timeout_seconds
        folder = self.folder / row.id
        while True:
            found = self.backend.state(folder, row.supervisor_pid, row.supervisor_started)
            if found.status != "starting":
                return found
            if time.monotonic() >= deadline:
                return ProcessState("failed", f"not ready after {self.settings.ready_timeout_seconds:g} s")
            time.sleep(0.1)

    def _launch(self, row: DeploymentRow, config: ServiceConfig) -> None:
        launched = self.backend.launch(self.folder / row.id, config, row.host, row.port, row.workers)
        row.supervisor_pid, row.supervisor_started = launched.pid, launched.started
        row.status, row.reason = "starting", None
        row.started_at, row.stopped_at = utcnow(), None

    def _stop(self, row: DeploymentRow, reason: str) -> None:
        self.backend.stop(self.folder / row.id, row.supervisor_pid, row.supervisor_started)
        row.status, row.reason, row.stopped_at = "stopped", reason, utcnow()

    def _config(self, deployment_id: str) -> ServiceConfig:
        path = self.folder / deployment_id / SERVICE_FILE
        return ServiceConfig.model_validate_json(path.read_text(encoding="utf-8"))

    def _git(self, found: Source) -> GitState:
        if found.model_version is not None:
            return GitState(repository=found.commit is not None, commit=found.commit, uncommitted=False)
        return self.git_state()

    def _free_port(self) -> int:
        shared = self.backend.shared_port()
        if shared is not None:
            return shared
        with self.store.session() as session:
            taken = set(session.scalars(select(DeploymentRow.port)))
        for port in range(self.settings.port_min, self.settings.port_max + 1):
            if port not in taken and self.backend.port_free(self.settings.host, port):
                return port
        raise Conflict(
            f"No free port in {self.settings.port_min}-{self.settings.port_max}",
            "Delete deployments you no longer need, or widen deploy_port_min/deploy_port_max.",
        )

    def _check_port(self, host: str, port: int) -> None:
        if self.backend.shared_port() is None and not self.backend.port_free(host, port):
            raise Conflict(
                f"Port {port} is in use by another program",
                "Stop the program that listens on it, then start the deployment again.",
            )

    def _model(self, session: Session, row: DeploymentRow) -> Deployment:
        self._refresh(row)
        return deployment_model(row, self.backend.path(row.name), self.keys.list(session, row.name))

    def _proxy_secret(self) -> str:
        """The secret Jupyter's proxy shows services instead of a key; kept (0600) so services
        that outlive a server restart still accept the proxy."""
        path = self.folder / _SECRET_FILE
        try:
            return path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            secret = secrets.token_urlsafe(32)
            write_atomic(path, secret, private=True)
            return secret
