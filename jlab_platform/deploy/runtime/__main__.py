"""``python -m jlab_platform.deploy.runtime --config service.json --host H --port P``.

The socket is bound here with SO_REUSEPORT and handed to uvicorn: a new deployment of the same
name binds the same port while this one drains (the kernel spreads new connections over both
until this one closes its socket). The model loads in a thread once the server listens;
``/readyz`` (and ``--state-file``) say when it is ready. SIGTERM: stop accepting, finish the
requests in flight, exit 0. Exit 2: bad config; 3: the model did not load; 4: the port is taken.
"""

import argparse
import asyncio
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

import uvicorn
from pydantic import ValidationError

from ...files.atomic import write_json_atomic
from .app import ServiceState, build_app
from .auth import KeyRing
from .batching import Batcher
from .config import ServiceConfig, read_config
from .loaders import Handler, load_handler

log = logging.getLogger("jlab_platform.deploy.runtime")

EXIT_CONFIG, EXIT_LOAD, EXIT_BIND = 2, 3, 4
GRACEFUL_SECONDS = 30
LINGER_SECONDS = 2.0


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket that other processes of this user may bind too (SO_REUSEPORT)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.set_inheritable(False)
    return sock


class Runtime:
    def __init__(self, config: ServiceConfig, sock: socket.socket, state_file: Path | None) -> None:
        self.config, self.sock, self.state_file = config, sock, state_file
        self.host, self.port = sock.getsockname()[:2]
        self.state = ServiceState()
        self.state.on_start.append(self._start_loading)
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
        self._loading: asyncio.Task[None] | None = None

    def run(self) -> int:
        self.write_state("starting")
        # uvicorn handles SIGTERM/SIGINT while serving, then restores the handlers it found and raises
        # the signal again; with these no-op ones found, a drained stop ends with exit status 0.
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            signal.signal(stop_signal, lambda number, frame: None)
        self.server.run(sockets=[self.sock])
        if self.state.failure is not None:
            return EXIT_LOAD
        self.write_state("stopped")
        return 0

    async def _start_loading(self) -> None:
        self._loading = asyncio.get_running_loop().create_task(self._load())

    async def _load(self) -> None:
        started = time.monotonic()
        try:
            handler = await _in_daemon_thread(load_handler, self.config)
        except Exception as exc:  # anything the user's code raises while loading
            self.state.failure = f"{type(exc).__name__}: {exc}"
            log.exception("loading the model failed")
            self.write_state("failed", self.state.failure)
            print(f"jlab-deploy: load failed: {self.state.failure}", file=sys.stderr, flush=True)
            self.server.should_exit = True
            return
        size = self.config.batch_max_size if handler.batchable else 1
        batcher = Batcher(handler.infer, size, self.config.batch_window_ms / 1000)
        batcher.start()
        while not self.server.started:  # "ready" only once the socket is served
            await asyncio.sleep(0.01)
        self.state.handler, self.state.batcher = handler, batcher
        self.write_state("ready")
        log.info("model loaded in %.1f s (batches of up to %d)", time.monotonic() - started, size)
        print(f"jlab-deploy: ready on http://{self.host}:{self.port}", flush=True)

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


async def _in_daemon_thread(function: Callable[[ServiceConfig], Handler], config: ServiceConfig) -> Handler:
    """Run the load in a daemon thread: a SIGTERM while a model loads ends the process at once
    (the thread pool's threads are joined at exit, which would wait for the load to finish)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Handler] = loop.create_future()

    def settle(result: Handler | None, error: BaseException | None) -> None:
        if future.done():  # the server stopped meanwhile
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(cast(Handler, result))

    def work() -> None:
        try:
            result, error = function(config), None
        except BaseException as exc:
            result, error = None, exc
        try:
            loop.call_soon_threadsafe(settle, result, error)
        except RuntimeError:  # the loop is closed: nobody waits for the model any more
            pass

    threading.Thread(target=work, name="load", daemon=True).start()
    return await future


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
