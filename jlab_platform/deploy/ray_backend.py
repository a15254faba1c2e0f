"""Deployments as Ray Serve applications on the cluster the jobs use (``deploy_backend = "ray"``).

Through Serve's REST API on the cluster's dashboard (the address jobs use): one application per
name, ``route_prefix`` ``/<name>``, running ``jlab_platform.deploy.ray_app:build`` with the
deployment's service.json; its replicas are the ``workers``. Serve's HTTP proxy listens on
``deploy_host:deploy_port_min`` for all names. A new version or a rollback redeploys the
application, which Serve rolls over replica by replica. The replicas read the snapshot and keys
file by their paths: the cluster's nodes must see the platform's data folder (one machine, or a
shared file system) and have jlab_platform installed. Ray keeps what a replica prints on its node:
``sync_log`` copies the new lines into the deployment's log file, which the log route reads.
"""

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from ..errors import Unavailable
from ..files.atomic import write_atomic, write_json_atomic
from ..jobs.records import LOG_FILE
from .process import SERVICE_FILE, Launched, ProcessState
from .runtime.config import PROXY_SECRET_ENV, ServiceConfig

APPLICATIONS = "/api/serve/applications/"
ACTOR_LOG = "/api/v0/logs/file"
_LOG_SEEN = "ray-log-seen.json"  # per replica stream: how many of its bytes were copied
_RAY_MARKS = (":job_id:", ":actor_name:", ":task_name:")  # Ray's own lines in a worker's output
# No access line per request, as the local runtime: a replica's stderr stays the service's own.
_LOGGING = {"enable_access_log": False}
IMPORT_PATH = "jlab_platform.deploy.ray_app:build"
_PREVIOUS = "previous-app.json"  # the application config this deployment replaced
_READY, _FAILED = {"RUNNING"}, {"DEPLOY_FAILED", "UNHEALTHY"}


class RayBackend:
    name = "ray"

    def __init__(self, address: str, http_host: str, http_port: int, proxy_secret: str) -> None:
        self.address = address.rstrip("/")
        self.http_host, self.http_port = http_host, http_port
        self.proxy_secret = proxy_secret
        self._lock = threading.Lock()

    def launch(self, folder: Path, config: ServiceConfig, host: str, port: int, workers: int) -> Launched:
        write_atomic(folder / SERVICE_FILE, config.model_dump_json(indent=1), private=True)
        app = {
            "name": config.name,
            "route_prefix": f"/{config.name}",
            "import_path": IMPORT_PATH,
            "args": {"config": config.model_dump(mode="json"), "workers": workers, "deployment": folder.name},
            "runtime_env": {"env_vars": {PROXY_SECRET_ENV: self.proxy_secret}},
            "logging_config": _LOGGING,
        }
        with self._lock:
            apps = self._configs()
            previous = apps.get(config.name)
            if previous is not None:
                write_json_atomic(folder / _PREVIOUS, previous, private=True)
            self._put({**apps, config.name: app})
        return Launched(None, None)

    def state(self, folder: Path, pid: int | None, started: float | None) -> ProcessState:
        name = _name(folder)
        details = self._details().get(name)
        if details is None or _deployment(details.get("deployed_app_config")) != folder.name:
            return ProcessState("failed", "the Ray Serve application is gone from the cluster")
        status = str(details.get("status"))
        if status in _READY:
            return ProcessState("ready")
        if status in _FAILED:
            return ProcessState("failed", str(details.get("message") or status))
        return ProcessState("starting")

    def stop(self, folder: Path, pid: int | None, started: float | None) -> None:
        name = _name(folder)
        with self._lock:
            apps = self._configs()
            if _deployment(apps.get(name)) == folder.name:  # not one that replaced it since
                self._put({key: app for key, app in apps.items() if key != name})

    def revert(self, folder: Path, pid: int | None, started: float | None) -> None:
        """Serve what this deployment replaced again (Serve replaced it in place)."""
        name = _name(folder)
        try:
            previous = json.loads((folder / _PREVIOUS).read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.stop(folder, pid, started)
            return
        with self._lock:
            apps = self._configs()
            if _deployment(apps.get(name)) == folder.name:
                self._put({**apps, name: previous})

    def wait_ended(self, folder: Path, pid: int | None, started: float | None, timeout: float) -> bool:
        name, deadline = _name(folder), time.monotonic() + timeout
        while _deployment((self._details().get(name) or {}).get("deployed_app_config")) == folder.name:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)
        return True

    def sync_log(self, folder: Path) -> None:
        """Append to the deployment's log what its replicas wrote (stdout, stderr) since the last
        sync, each line marked with its replica; the copy stays as it is when the cluster is away."""
        with self._lock:
            try:
                app = self._details().get(_name(folder)) or {}
            except Unavailable:
                return
            if _deployment(app.get("deployed_app_config")) != folder.name:
                return
            seen_file = folder / _LOG_SEEN
            try:
                seen: dict[str, int] = json.loads(seen_file.read_text(encoding="utf-8"))
            except (FileNotFoundError, ValueError):
                seen = {}
            before = dict(seen)
            copied: list[str] = []
            for deployment in (app.get("deployments") or {}).values():
                for replica in deployment.get("replicas") or []:
                    for stream in ("out", "err"):
                        key = f"{replica.get('replica_id')}.{stream}"
                        output = self._replica_output(str(replica.get("actor_id")), stream)
                        start = seen.get(key, 0)
                        if len(output) < start:  # not the output copied from: start it over
                            start = 0
                        end = output.rfind(b"\n") + 1  # a line being written comes with the next sync
                        if end <= start:
                            continue
                        seen[key] = end
                        copied += [
                            f"[replica {replica.get('replica_id')}] {line}\n"
                            for line in output[start:end].decode("utf-8", "replace").splitlines()
                            if not line.startswith(_RAY_MARKS)
                        ]
            if copied:
                with open(folder / LOG_FILE, "a", encoding="utf-8") as log:
                    log.writelines(copied)
            if seen != before:
                write_json_atomic(seen_file, seen, private=True)

    def _replica_output(self, actor_id: str, stream: str) -> bytes:
        """A replica's stdout or stderr so far, as its node keeps it; nothing when the dashboard
        cannot tell (the replica just went)."""
        query = urllib.parse.urlencode({"actor_id": actor_id, "suffix": stream, "lines": -1})
        try:
            with urllib.request.urlopen(f"{self.address}{ACTOR_LOG}?{query}", timeout=30) as answer:
                output: bytes = answer.read()
                return output
        except OSError:
            return b""

    def port_free(self, host: str, port: int) -> bool:
        return True  # Serve's proxy holds the one port

    def shared_port(self) -> int:
        return self.http_port

    def path(self, name: str) -> str:
        return f"/{name}"

    # -- Serve's REST API ---------------------------------------------------------

    def _details(self) -> dict[str, dict[str, Any]]:
        applications: dict[str, dict[str, Any]] = self._request("GET", None).get("applications") or {}
        return applications

    def _configs(self) -> dict[str, dict[str, Any]]:
        """The deployed config of every application, to PUT back with one changed (PUT is declarative)."""
        return {
            name: details["deployed_app_config"]
            for name, details in self._details().items()
            if details.get("deployed_app_config") and details.get("status") != "DELETING"
        }

    def _put(self, apps: dict[str, dict[str, Any]]) -> None:
        body = {
            "http_options": {"host": self.http_host, "port": self.http_port},
            "applications": list(apps.values()),
        }
        self._request("PUT", body)

    def _request(self, method: str, body: Any) -> dict[str, Any]:
        request = urllib.request.Request(
            self.address + APPLICATIONS,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                raw = answer.read()
        except urllib.error.HTTPError as exc:
            raise Unavailable(
                f"Ray Serve refused the request ({exc.code})", exc.read().decode("utf-8", "replace")[:2000]
            ) from None
        except OSError as exc:
            raise Unavailable(
                f"The Ray cluster at {self.address} does not answer",
                "Start the cluster, or set job_cluster_address to its dashboard address.",
            ) from exc
        data = json.loads(raw) if raw.strip() else {}
        return data if isinstance(data, dict) else {}


def _name(folder: Path) -> str:
    return ServiceConfig.model_validate_json((folder / SERVICE_FILE).read_text(encoding="utf-8")).name


def _deployment(app: dict[str, Any] | None) -> str | None:
    """The deployment id an application config serves."""
    if not app:
        return None
    found = (app.get("args") or {}).get("deployment")
    return str(found) if found else None
