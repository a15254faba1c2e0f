"""TensorBoard instances, one per log folder, started on demand and stopped when unused.

- ``start(logdir)`` starts TensorBoard for a folder or reuses the one already serving it;
  an instance whose process died starts again. At most ``max_instances`` run: the one used
  longest ago stops to make room.
- The proxy calls ``port_of`` on every request (cheap, no thread), which marks the use; an
  instance unused for ``idle_seconds`` is stopped by a background thread. A stopped instance
  keeps its id and starts again on the next request (a TensorBoard tab left open reloads).
- The instances are written to ``<data dir>/tensorboard/instances.json``: a server started
  again takes back those whose process is still the one it started (pid, start time and
  command line) and forgets the rest. ``close`` stops them all, so none outlives the server
  that owns it.
"""

import datetime as dt
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import NotFound, Unavailable
from ..files.atomic import make_private_dir, write_json_atomic
from ..paths import PathResolver
from . import RUNS_DIR_ENV, process
from .models import InstanceStatus, TensorBoardInstance, TensorBoardList
from .notebook_ports import PROXY_URL_ENV

STATE_FILE = "instances.json"


@dataclass(frozen=True)
class TensorBoardSettings:
    data_dir: Path  # the platform's data folder: state and TensorBoard's own logs go in tensorboard/
    idle_seconds: float
    max_instances: int
    runs_dir: Path  # where jobs and trainings write their runs (kernel_environment)
    start_timeout_seconds: float = 90.0


@dataclass
class _Instance:
    id: str
    logdir: str  # relative to the root
    pid: int = 0
    create_time: float = 0.0
    port: int = 0
    started_at: float | None = None
    last_used: float = 0.0
    ready: bool = False
    # Held while the process is started or stopped: a second open of the folder waits for it.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def alive(self) -> bool:
        return self.pid > 0 and process.is_ours(self.pid, self.create_time, self.id)

    def status(self) -> InstanceStatus:
        if self.pid <= 0:
            return "stopped"
        return "running" if self.ready else "starting"

    def record(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _RECORDED}


_RECORDED = ("id", "logdir", "pid", "create_time", "port", "started_at", "last_used")


def instance_id(logdir: str) -> str:
    return hashlib.sha256(logdir.encode("utf-8")).hexdigest()[:12]


class TensorBoardService:
    def __init__(self, paths: PathResolver, settings: TensorBoardSettings) -> None:
        self._paths = paths
        self._settings = settings
        self._folder = settings.data_dir / "tensorboard"
        make_private_dir(self._folder)
        self._lock = threading.Lock()
        self._save_lock = threading.Lock()
        self._instances: dict[str, _Instance] = {}
        self._take_back()
        self._closed = threading.Event()
        self._reaper = threading.Thread(target=self._reap, name="tensorboard-reaper", daemon=True)
        self._reaper.start()

    # -- API ---------------------------------------------------------------------

    def start(self, logdir: str) -> TensorBoardInstance:
        folder = self._paths.resolve(logdir)
        if not folder.is_dir():
            raise NotFound(
                f"Folder {logdir!r} does not exist",
                "Give a folder of event files (runs are its subfolders), relative to the root.",
            )
        relative = self._paths.relative(folder)
        with self._lock:
            instance = self._instances.setdefault(
                instance_id(relative), _Instance(instance_id(relative), relative)
            )
            instance.last_used = time.time()
        self._ensure_running(instance)
        return self._view(instance)

    @property
    def runs_folder(self) -> str | None:
        """Where jobs and trainings write their runs, relative to the root; None outside the root."""
        return self._paths.inside(self._settings.runs_dir.resolve())

    def list(self) -> TensorBoardList:
        with self._lock:
            instances = sorted(self._instances.values(), key=lambda i: i.started_at or 0.0)
        return TensorBoardList(instances=[self._view(instance) for instance in instances])

    def stop(self, instance_id: str) -> None:
        """Stop the instance and forget it: its url answers 404 until its folder is opened again."""
        with self._lock:
            instance = self._instances.pop(instance_id, None)
        if instance is None:
            raise NotFound(f"No TensorBoard instance {instance_id!r}", "List the instances to see their ids.")
        with instance.lock:
            self._stop_process(instance)
        self._save()

    def port_of(self, instance_id: str) -> int | None:
        """The port of a started instance, marking it used; None when it must be (re)started."""
        instance = self._instances.get(instance_id)
        if instance is None or not instance.ready:
            return None
        instance.last_used = time.time()
        return instance.port

    def revive(self, instance_id: str) -> int:
        """Start a known instance that is stopped or died (its process gone); its port."""
        instance = self._instances.get(instance_id)
        if instance is None:
            raise NotFound(
                f"No TensorBoard instance {instance_id!r}", "Open its folder in TensorBoard again."
            )
        instance.last_used = time.time()
        self._ensure_running(instance)
        return instance.port

    def kernel_environment(self, base_url: str) -> dict[str, str]:
        """What kernels and jobs get: where their runs go, and where ``%tensorboard`` is proxied.

        TensorBoard's notebook magic puts its port in place of ``%PORT%`` and loads that URL.
        """
        return {
            RUNS_DIR_ENV: str(self._settings.runs_dir),
            PROXY_URL_ENV: f"{base_url.rstrip('/')}{process.PREFIX}/port/%PORT%/",
        }

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            instances = list(self._instances.values())
        for instance in instances:
            with instance.lock:
                self._stop_process(instance)
        self._save()

    # -- processes ---------------------------------------------------------------

    def _ensure_running(self, instance: _Instance) -> None:
        with instance.lock:
            if instance.alive():
                if not instance.ready:
                    self._wait_ready(instance)
                return
            self._make_room(instance.id)
            folder = self._paths.resolve(instance.logdir)
            if not folder.is_dir():
                raise NotFound(
                    f"Folder {instance.logdir!r} is gone", "Open an existing folder in TensorBoard."
                )
            launched = process.launch(folder, instance.id, self._folder / f"{instance.id}.log")
            instance.pid, instance.create_time, instance.port = (
                launched.pid,
                launched.create_time,
                launched.port,
            )
            instance.started_at, instance.ready = time.time(), False
            try:
                self._save()  # recorded before anything else can fail: never an unrecorded process
            except BaseException:
                self._stop_process(instance)
                raise
            self._wait_ready(instance)

    def _wait_ready(self, instance: _Instance) -> None:
        launched = process.Launched(instance.pid, instance.create_time, instance.port)
        if process.wait_ready(launched, instance.id, self._settings.start_timeout_seconds):
            instance.ready = True
            instance.last_used = time.time()  # its start is no idle time
            return
        self._stop_process(instance)
        raise Unavailable(
            f"TensorBoard for {instance.logdir or 'the root folder'!r} did not start",
            f"Its output is in {self._folder / (instance.id + '.log')}.",
        )

    def _make_room(self, starting: str) -> None:
        """Stop the instances used longest ago until one more fits within ``max_instances``."""
        with self._lock:
            running = sorted(
                (i for i in self._instances.values() if i.pid > 0 and i.id != starting),
                key=lambda i: i.last_used,
            )
        for instance in running[: max(0, len(running) - self._settings.max_instances + 1)]:
            if instance.lock.acquire(timeout=self._settings.start_timeout_seconds):
                try:
                    self._stop_process(instance)
                finally:
                    instance.lock.release()

    def _stop_process(self, instance: _Instance) -> None:
        # Not ready before it is stopped: meanwhile the proxy revives it instead of sending a
        # request to a port that is going away.
        instance.ready = False
        if instance.pid > 0:
            process.stop(instance.pid, instance.create_time, instance.id)
        instance.pid, instance.create_time, instance.port = 0, 0.0, 0

    def _reap(self) -> None:
        interval = min(30.0, max(0.5, self._settings.idle_seconds / 4))
        while not self._closed.wait(interval):
            now = time.time()
            with self._lock:
                instances = list(self._instances.values())
            stopped = False
            for instance in instances:
                idle = now - instance.last_used > self._settings.idle_seconds
                if instance.pid > 0 and instance.ready and instance.lock.acquire(blocking=False):
                    try:
                        if idle or not instance.alive():
                            self._stop_process(instance)
                            stopped = True
                    finally:
                        instance.lock.release()
            if stopped:
                self._save()

    # -- state -------------------------------------------------------------------

    def _take_back(self) -> None:
        """Instances a previous server started: keep those still running as it left them."""
        try:
            records = json.loads((self._folder / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            records = []
        now = time.time()
        for record in records if isinstance(records, list) else []:
            try:
                instance = _Instance(**record)
            except TypeError:
                continue
            if instance.alive():
                instance.ready = process.answers(instance.port, instance.id)
                instance.last_used = now  # its idle time starts again with this server
            if not instance.ready:
                self._stop_process(instance)  # a process of ours that does not answer: stop it
            self._instances[instance.id] = instance
        self._save()

    def _save(self) -> None:
        with self._save_lock:  # one writer at a time: an older list never replaces a newer one
            with self._lock:
                records = [instance.record() for instance in self._instances.values()]
            write_json_atomic(self._folder / STATE_FILE, records, private=True)

    def _view(self, instance: _Instance) -> TensorBoardInstance:
        return TensorBoardInstance(
            id=instance.id,
            logdir=instance.logdir,
            url=f"{process.path_prefix(instance.id)}/",
            status=instance.status(),
            started_at=_iso(instance.started_at) if instance.pid > 0 else None,
            last_used_at=_iso(instance.last_used or None),
        )


def _iso(epoch: float | None) -> str | None:
    return None if epoch is None else dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat()
