"""The "本地一键部署" bundle: a zip that serves a deployment anywhere with ``./deploy.sh``.

Inside ``<name>/``: ``code/`` (the deployment's snapshot: the code at its commit, and for a
module its folder and run with the checkpoint), ``config/service.json`` (paths relative to
the bundle), ``runtime/jlab_platform/`` (the platform's Python files the service process runs
on: no server, no UI), ``requirements.txt``, ``deploy.sh`` and a ``Dockerfile``.
"""

import os
import stat
import tempfile
import zipfile
from pathlib import Path

import jlab_platform

from .runtime.config import ServiceConfig

DEFAULT_PORT = 10086
# The service process's own packages (the runtime's HTTP stack and image decoding).
RUNTIME_REQUIREMENTS = (
    "uvicorn>=0.30",
    "starlette>=0.37",
    "pydantic>=2.7,<3",
    "pillow>=10",
    "numpy>=1.24",
    "PyYAML>=6",
    "psutil>=5.9",
    "sqlalchemy>=2.0,<3",
)
# Parts of the package a service never runs: the Jupyter server side, the built UI, catalogs.
_NOT_VENDORED = {"server", "labextension", "locale", "static"}
_EXECUTABLE = stat.S_IFREG | 0o755
_FILE = stat.S_IFREG | 0o644

DEPLOY_SH = r"""#!/bin/sh
# Serve this deployment over HTTP (POST /aip, /predict, OIP v2): ./deploy.sh [version] [options]
#   version          the version the service reports (default: the deployment's, {version})
#   --port P         the port (default {port}; or $PORT)
#   --host H         the address (default 0.0.0.0; or $HOST)
#   --no-install     use the current python ($PYTHON or python3) instead of creating .venv
# Callers send "Authorization: Bearer <key>"; the key is $JLAB_DEPLOY_KEY, or made once and
# kept in api-key.txt.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE"
VERSION={version}
PORT=${{PORT:-{port}}}
HOST=${{HOST:-0.0.0.0}}
INSTALL=1
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2 ;;
    --host) HOST=$2; shift 2 ;;
    --no-install) INSTALL=0; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    -*) echo "deploy.sh: unknown option $1" >&2; exit 2 ;;
    *) VERSION=$1; shift ;;
  esac
done
if [ "$INSTALL" = 1 ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install --quiet -r requirements.txt
  PY="$HERE/.venv/bin/python"
else
  PY=${{PYTHON:-python3}}
fi
umask 077
if [ -z "${{JLAB_DEPLOY_KEY:-}}" ]; then
  [ -s api-key.txt ] || "$PY" -c 'import secrets; print(secrets.token_urlsafe(32))' > api-key.txt
  JLAB_DEPLOY_KEY=$(cat api-key.txt)
  echo "API key (send as 'Authorization: Bearer <key>'): see $HERE/api-key.txt"
fi
mkdir -p run
JLAB_DEPLOY_KEY=$JLAB_DEPLOY_KEY VERSION=$VERSION "$PY" - <<'EOF'
import hashlib, json, os
config = json.load(open("config/service.json"))
here = os.getcwd()
for name in ("code_dir", "module_dir", "run_dir"):
    if config.get(name):
        config[name] = os.path.join(here, config[name])
config["keys_file"] = os.path.join(here, "run", "keys.json")
config["version"] = os.environ["VERSION"]
json.dump([hashlib.sha256(os.environ["JLAB_DEPLOY_KEY"].encode()).hexdigest()], open("run/keys.json", "w"))
json.dump(config, open("run/service.json", "w"), indent=1)
EOF
export PYTHONPATH="$HERE/runtime${{PYTHONPATH:+:$PYTHONPATH}}"
echo "Serving on http://$HOST:$PORT/aip"
exec "$PY" -m jlab_platform.deploy.runtime --config run/service.json --host "$HOST" --port "$PORT"
"""

DOCKERFILE = """FROM python:3.11-slim
WORKDIR /app
COPY . /app
RUN python -m pip install --no-cache-dir -r requirements.txt
EXPOSE {port}
ENV PYTHON=python
CMD ["./deploy.sh", "--no-install", "--host", "0.0.0.0", "--port", "{port}"]
"""


def write_bundle(config: ServiceConfig, snapshot: Path, port: int = DEFAULT_PORT) -> Path:
    """The bundle of a deployment as a temporary zip file (the caller deletes it)."""
    top = config.name
    handle, name = tempfile.mkstemp(suffix=".zip", prefix="jlab-deploy-")
    os.close(handle)
    path = Path(name)
    try:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
            _add_tree(bundle, snapshot, f"{top}/code")
            package = Path(jlab_platform.__file__).parent
            _add_tree(bundle, package, f"{top}/runtime/jlab_platform", skip=_NOT_VENDORED)
            _add(bundle, f"{top}/config/service.json", _relative_config(config, snapshot).encode())
            _add(bundle, f"{top}/requirements.txt", _requirements(snapshot).encode())
            _add(
                bundle, f"{top}/deploy.sh", DEPLOY_SH.format(version=config.version, port=port).encode(), True
            )
            _add(bundle, f"{top}/Dockerfile", DOCKERFILE.format(port=port).encode())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _relative_config(config: ServiceConfig, snapshot: Path) -> str:
    """service.json with the snapshot's paths made relative to the bundle (deploy.sh anchors them)."""

    def inside(path: Path | None) -> str | None:
        if path is None:
            return None
        return Path("code", path.relative_to(snapshot)).as_posix()

    data = config.model_dump(mode="json")
    data.update(
        code_dir=inside(config.code_dir),
        module_dir=inside(config.module_dir),
        run_dir=inside(config.run_dir),
        keys_file=None,
    )
    return ServiceConfig.model_validate(data).model_dump_json(indent=1)


def _requirements(snapshot: Path) -> str:
    """The runtime's packages, then those the module and the code ask for."""
    lines = list(RUNTIME_REQUIREMENTS)
    for listed in (snapshot / "module" / "requirements.txt", snapshot / "requirements.txt"):
        if listed.is_file():
            for line in listed.read_text(encoding="utf-8", errors="replace").splitlines():
                line = line.split("#", 1)[0].strip()
                if line and not line.startswith("-") and line not in lines:
                    lines.append(line)
    return "\n".join(lines) + "\n"


def _add_tree(bundle: zipfile.ZipFile, folder: Path, prefix: str, skip: set[str] | None = None) -> None:
    """Regular files under ``folder``; links are left out (they may lead outside the snapshot)."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not (skip and d in skip) and d != "__pycache__")
        relative = Path(dirpath).relative_to(folder)
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            if path.is_symlink() or not path.is_file() or path.suffix == ".pyc":
                continue
            arcname = f"{prefix}/{(relative / filename).as_posix()}"
            bundle.write(path, arcname)


def _add(bundle: zipfile.ZipFile, arcname: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (_EXECUTABLE if executable else _FILE) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, data)
