"""``python -m jlab_platform.deploy.runtime --config service.json --host H --port P``.

The socket is bound here with SO_REUSEPORT and handed to uvicorn: a new deployment of the same
name binds the same port while the old one serves, listens once its model is loaded (from then
on the kernel spreads new connections over both), and the old one drains. ``--state-file``
says ``starting``, ``ready`` (loaded and listening), ``failed`` or ``stopped``. SIGTERM: stop
accepting, finish the requests in flight, exit 0. Exit 2: bad config; 3: the model did not load;
4: the port is taken.
"""

import argparse
import asyncio
import logging
import os
import signal
import socket
import sys
import time
from pathlib import Path
from types import FrameType

import uvicorn
from pydantic import ValidationError

from ...files.atomic import write_json_atomic
from .app import ServiceState, build_app
from .auth import KeyRing
from .batching import service_batcher
from .config import ServiceConfig, read_config
from .loaders import load_handler

log = logging.getLogger("jlab_platform.deploy.runtime")

EXIT_CONFIG, EXIT_LOAD, EXIT_BIND = 2, 3, 4
GRACEFUL_SECONDS = 30
LINGER_SECONDS = 2.0


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to the port, which other processes of this user may bind too (SO_REUSEPORT).

    Bound at once (a port held by another program is found before the model loads) but not yet
    listening: the kernel hands connections only to listening sockets, so while this process loads
    its model, every connection to the port still goes to the one it replaces.
    """
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(False)
    return sock  # listening starts with uvicorn, once the model is loaded


class Runtime:
    def __init__(self, config: ServiceConfig, sock: socket.socket, state_file: Path | None) -> None:
        self.config, self.sock, self.state_file = config, sock, state_file
        self.host, self.port = sock.getsockname()[:2]
        self.state = ServiceState()
        self.state.on_start.append(self._start_batching)
        app = build_app(config, self.state, KeyRing(config.keys_file))
        self.server = _DrainingServer(
            self.state,
            uvicorn.Config(
                app,
                lifespan="on",
                access_log=False,
                log_level="info",
                timeout_graceful_shutdown=GRACEFUL_SECONDS,
            ),
        )

    def run(self) -> int:
        self.write_state("starting")
        # A stop while the model loads: nothing was served yet, so there is nothing to drain.
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            signal.signal(stop_signal, self._stop_while_loading)
        started = time.monotonic()
        try:
            self.state.handler = load_handler(self.config)
        except Exception as exc:  # anything the user's code raises while loading
            reason = f"{type(exc).__name__}: {exc}"
            log.exception("loading the model failed")
            self.write_state("failed", reason)
            print(f"jlab-deploy: load failed: {reason}", file=sys.stderr, flush=True)
            return EXIT_LOAD
        log.info("model loaded in %.1f s", time.monotonic() - started)
        # uvicorn handles SIGTERM/SIGINT while serving, then restores the handlers it found and raises
        # the signal again; with these no-op ones found, a drained stop ends with exit status 0.
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            signal.signal(stop_signal, lambda number, frame: None)
        self.server.run(sockets=[self.sock])
        self.write_state("stopped")
        return 0

    def _stop_while_loading(self, number: int, frame: FrameType | None) -> None:
        self.write_state("stopped")
        os._exit(0)  # the load may be in native code that would not see an exception for long

    async def _start_batching(self) -> None:
        handler = self.state.handler
        assert handler is not None
        batcher = service_batcher(handler, self.config)
        batcher.start()
        self.state.batcher = batcher
        asyncio.get_running_loop().create_task(self._announce(batcher.max_size))

    async def _announce(self, size: int) -> None:
        while not self.server.started:  # "ready" once the socket listens
            await asyncio.sleep(0.01)
        self.write_state("ready")
        print(f"jlab-deploy: ready on http://{self.host}:{self.port} (batches of up to {size})", flush=True)

    def write_state(self, state: str, reason: str | None = None) -> None:
        if self.state_file is None:
            return
        record = {"state": state, "pid": os.getpid(), "host": self.host, "port": self.port, "reason": reason}
        write_json_atomic(self.state_file, record)


class _DrainingServer(uvicorn.Server):
    """uvicorn, closing kept-alive connections politely when it stops.

    uvicorn closes idle kept-alive connections at once on shutdown, and a client that sends its
    next request on one at that moment gets a connection error. Here the listening socket closes
    first (new connections go to the process that shares the port), then for up to
    ``LINGER_SECONDS`` every answer carries ``Connection: close``, so steady clients finish their
    request and reconnect to the new process; only then does uvicorn's own shutdown run.
    """

    def __init__(self, state: ServiceState, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.service_state = state

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        self.service_state.draining = True
        deadline = time.monotonic() + LINGER_SECONDS
        while self.server_state.connections and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await super().shutdown(sockets)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jlab_platform.deploy.runtime", description=__doc__)
    parser.add_argument("--config", type=Path, required=True, help="service.json (ServiceConfig)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=10086, help="0: any free port")
    parser.add_argument("--state-file", type=Path, help="where to write the state as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = read_config(args.config)
    except (OSError, ValueError, ValidationError) as exc:
        print(f"jlab-deploy: bad config {args.config}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(f"jlab-deploy: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return EXIT_BIND
    os.chdir(config.code_dir)  # user code opens files relative to its own folder, as in the notebook
    return Runtime(config, sock, args.state_file).run()


if __name__ == "__main__":
    sys.exit(main())
