"""A real PostgreSQL server for the tests: started on a free port in a temp dir, stopped by its PID.

The Debian package provides the binaries (``make test`` installs it). PostgreSQL
refuses to run as root, so as root the server runs as the ``postgres`` user.
"""

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.helpers.jupyter import free_port

USER = "jlab"


def postgres_bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not candidates:
        raise RuntimeError(
            "PostgreSQL is not installed: `make test` installs it (apt-get install postgresql)."
        )
    return Path(candidates[-1])


@contextmanager
def running_postgres() -> Iterator[str]:
    """Yield the admin URL (``postgresql+psycopg://jlab@127.0.0.1:PORT/postgres``) of a fresh server."""
    bindir = postgres_bindir()
    # Not pytest's tmp dir: that one is private to root, and the server runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="jlab-postgres-"))
    base.chmod(0o755)
    data, sockets = base / "pgdata", base / "pgsock"
    data.mkdir(parents=True)
    sockets.mkdir()
    as_user: dict[str, int] = {}
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        as_user = {"user": account.pw_uid, "group": account.pw_gid}
        for path in (base, data, sockets):
            os.chown(path, account.pw_uid, account.pw_gid)
    subprocess.run(
        [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            USER,
            "-E",
            "UTF8",
            "--no-instructions",
        ],
        check=True,
        capture_output=True,
        **as_user,  # type: ignore[arg-type]
    )
    port = free_port()
    log = open(base / "postgres.log", "wb")
    server = subprocess.Popen(
        [
            str(bindir / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(sockets),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=200",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        **as_user,  # type: ignore[arg-type]
    )
    try:
        _wait_ready(port, server, base / "postgres.log")
        yield f"postgresql+psycopg://{USER}@127.0.0.1:{port}/postgres"
    finally:
        server.send_signal(signal.SIGINT)  # "fast" shutdown
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(base, ignore_errors=True)


def create_database(admin_url: str, name: str) -> str:
    """A new empty database on the server of ``admin_url``; its SQLAlchemy URL."""
    with psycopg.connect(_dsn(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _wait_ready(port: int, server: "subprocess.Popen[bytes]", log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"postgres exited:\n{log.read_text(errors='replace')}")
        try:
            psycopg.connect(f"postgresql://{USER}@127.0.0.1:{port}/postgres", connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            time.sleep(0.1)
    raise TimeoutError(f"postgres did not start:\n{log.read_text(errors='replace')}")
