"""``%%capture_output NAME`` and ``%restore_output NAME`` inside a kernel.

Every output a cell shows leaves the kernel as an IOPub message through the kernel's
``Session.send``: stream text (including what subprocesses and C code write to file
descriptors 1 and 2, which ipykernel reads from a pipe and forwards as stream messages),
display data and its updates, ``clear_output``, results and errors. While a captured cell
runs, the recorder wraps ``send`` on the kernel's session, lets every message through
unchanged, and appends the cell's outputs to the capture store as they leave, so what is
stored is what the browser was sent, even when no browser is connected.
"""

import ast
import atexit
import datetime as dt
import fcntl
import shlex
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from IPython.core.error import UsageError

from ..capture.outputs import replay
from ..capture.pacing import Pacer, pieces
from ..capture.states import FAILED, FINISHED, INCOMPLETE, RUNNING, CaptureState
from ..capture.store import (
    CaptureMeta,
    CaptureWriter,
    capture_folder,
    load_blob,
    modified_at,
    read_meta,
    read_records,
    state_of,
)
from ..capture.throttle import StreamThrottle
from ..errors import PlatformError
from .capture_context import capture_server, kernel_id, notebook_path

OUTPUT_TYPES = frozenset(
    {"stream", "display_data", "update_display_data", "clear_output", "execute_result", "error", "comm_open"}
)
SHUTDOWN_REASON = "the kernel shut down or restarted while the cell was running"
_PIPE_DRAIN_SECONDS = 1.0

# Jupyter stops or restarts a busy kernel by interrupting the cell, then asking it to shut
# down: a capture that ended in KeyboardInterrupt this shortly before the kernel exits did
# not finish; it was stopped.
_INTERRUPT_BEFORE_EXIT_SECONDS = 5.0

_active: "Recorder | None" = None
_interrupted: tuple[CaptureWriter, float] | None = None


def parse_name(line: str, usage: str) -> str:
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise UsageError(f"{exc}\nUsage: {usage}") from None
    if len(words) != 1:
        raise UsageError(f"Give exactly one capture name.\nUsage: {usage}")
    return words[0]


class Recorder:
    """Appends the outputs of one running cell to a capture while passing them on."""

    def __init__(self, writer: CaptureWriter, parent_id: str, interval: float = 0.25) -> None:
        self.writer = writer
        self.parent_id = parent_id
        self.error: BaseException | None = None
        self._throttle = StreamThrottle(interval)
        self._lock = threading.Lock()
        self._display_ids: set[str] = set()
        self._sessions: list[tuple[Any, Any, Any]] = []
        self._recording = False
        self._ended = False
        self._ticker = threading.Event()
        self._thread = threading.Thread(target=self._tick, name="jlab-capture", daemon=True)

    def start(self, sessions: list[Any]) -> None:
        self._recording = True
        for session in sessions:
            self._wrap(session)
        self._thread.start()
        atexit.register(self._at_exit)

    def stop(self, state: CaptureState, reason: str | None) -> None:
        self._ticker.set()
        self._thread.join(timeout=5)
        self._end(state, reason)
        atexit.unregister(self._at_exit)

    def _wrap(self, session: Any) -> None:
        original = session.send
        # Put back on stop: another tool's wrapper on this session, or nothing (the class's method).
        previous = session.__dict__.get("send")

        def send(stream: Any, msg_or_type: Any, *args: Any, **kwargs: Any) -> Any:
            if self._recording:
                self._observe(msg_or_type, args, kwargs)
            return original(stream, msg_or_type, *args, **kwargs)

        session.send = send
        self._sessions.append((session, send, previous))

    def _observe(self, msg_or_type: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            if isinstance(msg_or_type, dict):
                kind = msg_or_type.get("msg_type") or msg_or_type["header"]["msg_type"]
                content, parent = msg_or_type.get("content"), msg_or_type.get("parent_header")
            else:
                kind = msg_or_type
                content = kwargs.get("content", args[0] if args else None)
                parent = kwargs.get("parent", args[1] if len(args) > 1 else None)
            if kind in OUTPUT_TYPES and isinstance(content, dict):
                self._record(kind, content, _msg_id(parent))
        except Exception as exc:  # a broken store must never break the kernel's output
            self.error, self._recording = exc, False

    def _record(self, kind: str, content: dict[str, Any], parent_id: str | None) -> None:
        display_id = (content.get("transient") or {}).get("display_id")
        ours = parent_id == self.parent_id
        if not ours and not (kind == "update_display_data" and display_id in self._display_ids):
            return
        now = time.monotonic()
        with self._lock:
            if kind == "stream":
                records = self._throttle.add(str(content.get("name")), str(content.get("text", "")), now)
            else:
                records = [*self._throttle.drain(), _to_record(kind, content, display_id)]
                if kind == "display_data" and display_id:
                    self._display_ids.add(display_id)
            for record in records:
                self.writer.append(record)

    def _tick(self) -> None:
        while not self._ticker.wait(self._throttle.interval / 2):
            try:
                with self._lock:
                    if not self._recording:
                        return
                    for record in self._throttle.due(time.monotonic()):
                        self.writer.append(record)
                self.writer.sync()  # unlocked: output keeps flowing while the disk catches up
            except Exception as exc:
                self.error, self._recording = exc, False

    def _end(self, state: CaptureState, reason: str | None) -> None:
        # At exit another thread may hold the lock forever (it was mid-write when stopped).
        if not self._lock.acquire(timeout=2):
            return
        try:
            if not self._ended:
                self._ended = True
                self._finish(state, reason)
        finally:
            self._lock.release()

    def _finish(self, state: CaptureState, reason: str | None) -> None:
        self._recording = False
        for session, send, previous in self._sessions:
            if session.__dict__.get("send") is not send:
                continue  # wrapped again since: ours stays, passing messages through
            if previous is None:
                del session.send
            else:
                session.send = previous
        try:
            for record in self._throttle.drain() if self.error is None else []:
                self.writer.append(record)
        except OSError as exc:
            self.error = exc
        if self.error is not None:
            state, reason = INCOMPLETE, f"recording stopped: {self.error}"
        try:
            self.writer.finish(state, reason)
        except OSError as exc:
            self.error = self.error or exc

    def _at_exit(self) -> None:
        self._end(INCOMPLETE, SHUTDOWN_REASON)


def run_captured(shell: Any, name: str, cell: str) -> None:
    """Run ``cell`` as the current cell, recording its outputs under ``name``."""
    global _active, _interrupted
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        raise UsageError("%%capture_output needs a Jupyter kernel (ipykernel).")
    if _active is not None:
        raise UsageError(f"Capture {_active.writer.meta.name!r} is already recording in this kernel.")
    server = capture_server()
    directory = server.directory
    parent = kernel.get_parent()
    this_kernel = kernel_id()
    meta = CaptureMeta.for_this_process(
        name,
        notebook=notebook_path(server, this_kernel),
        cell_id=(parent.get("metadata") or {}).get("cellId"),
        kernel_id=this_kernel,
        source=cell[:10_000],
    )
    try:
        writer = CaptureWriter.create(directory, meta)
    except PlatformError as exc:
        raise UsageError(f"{exc.message}. {exc.detail}") from None
    except OSError as exc:
        raise UsageError(f"Cannot write capture {name!r} in {directory}: {exc}") from None
    recorder = Recorder(writer, _msg_id(parent) or "")
    _flush_streams()  # output printed before the cell body is not part of it
    recorder.start(_sessions(shell))
    _active = recorder
    failure: BaseException | None = None
    try:
        failure = _run_cell_body(shell, cell)
    except BaseException as error:  # SystemExit and the like: the outer cell reports them
        failure = error
        raise
    finally:
        _drain_fd_pipes()
        _flush_streams()
        recorder.stop(*((FAILED, _describe(failure)) if failure is not None else (FINISHED, None)))
        _active = None
        if isinstance(failure, KeyboardInterrupt):
            _interrupted = (writer, time.monotonic())
        if recorder.error is not None:
            print(f"Capture {name!r} stopped recording: {recorder.error}", file=sys.stderr)


@atexit.register
def _stopped_after_interrupt() -> None:
    if _interrupted is not None and time.monotonic() - _interrupted[1] < _INTERRUPT_BEFORE_EXIT_SECONDS:
        try:
            _interrupted[0].finish(INCOMPLETE, SHUTDOWN_REASON)
        except OSError:
            pass


def restore_output(shell: Any, name: str) -> None:
    """Show again, in this cell, the outputs captured under ``name``."""
    try:
        folder = capture_folder(capture_server().directory, name)
    except PlatformError as exc:
        raise UsageError(f"{exc.message}. {exc.detail}") from None
    meta = read_meta(folder)
    if meta is None:
        raise UsageError(f"Capture {name!r} is being replaced right now; run this cell again.")
    restored = replay(read_records(folder), lambda ref: load_blob(folder, ref))
    send = _iopub_sender(shell, Pacer())
    _flush_streams()
    for output in restored.outputs:
        kind = output.pop("output_type")
        if kind == "stream":
            for piece in pieces(output["text"]):
                send(kind, {"name": output["name"], "text": piece})
            continue
        if kind == "display_data":
            output["transient"] = {}
        send(kind, output)
    lines = _status_lines(name, meta, folder) + restored.notes
    if lines:
        plain = "\n".join(line.replace("**", "").replace("`", "") for line in lines)
        send("display_data", {"data": {"text/markdown": "\n\n".join(lines), "text/plain": plain}})


def _status_lines(name: str, meta: CaptureMeta, folder: Path) -> list[str]:
    """The marker under a restore whose capture did not finish, or has not finished yet."""
    state, reason = state_of(meta)
    if state == INCOMPLETE:
        return [
            f"**Capture `{name}` did not finish**: {reason or 'the reason is not known'}.",
            f"Restored its output up to {_readable(modified_at(folder))}.",
        ]
    if state == RUNNING:
        return [
            f"**Capture `{name}` is still running** (kernel process {meta.pid}).",
            "This is its output so far; restore again later for the rest.",
        ]
    return []


def _readable(iso: str | None) -> str:
    if iso is None:
        return "an unknown time"
    return dt.datetime.fromisoformat(iso).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _run_cell_body(shell: Any, cell: str) -> BaseException | None:
    """Run ``cell`` as IPython runs a cell: magics, ``!commands``, the last expression's value shown.

    The body runs here rather than through a nested ``shell.run_cell``, under which every write
    to ``sys.stdout`` costs about a fifth more in ipykernel 7. An error is shown as IPython shows
    it and becomes the failure of the cell, so the execute reply says "error" (Run All stops)
    without the traceback being shown twice. Returns that error, or None.
    """
    try:
        source = shell.transform_cell(cell)
        filename = shell.compile.cache(source, shell.execution_count, raw_code=cell)
        tree = shell.transform_ast(shell.compile.ast_parse(source, filename=filename))
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    except SyntaxError as error:
        shell.showsyntaxerror()
        return _fail_cell(shell, error)
    namespace = (shell.user_global_ns, shell.user_ns)
    try:
        exec(shell.compile(tree, filename, "exec"), *namespace)
        if last is not None:
            value = eval(shell.compile(ast.Expression(last.value), filename, "eval"), *namespace)
            if not shell.displayhook.semicolon_at_end_of_expression(source):
                shell.displayhook(value)  # Out[n], _ and the execute_result, as for any cell
    except (Exception, KeyboardInterrupt) as error:
        kind, _, traceback = sys.exc_info()
        # The traceback starts at the cell's own code, as for any cell: this frame is left out.
        cell_frames = traceback.tb_next if traceback else None
        shell.showtraceback((kind, error, cell_frames), running_compiled_code=True)
        return _fail_cell(shell, error)
    return None


def _fail_cell(shell: Any, error: BaseException) -> BaseException:
    result = getattr(shell.displayhook, "exec_result", None)  # the running cell's ExecutionResult
    if result is not None:
        result.error_in_exec = error
    return error


def _iopub_sender(shell: Any, pacer: Pacer) -> Callable[[str, dict[str, Any]], None]:
    publisher = shell.display_pub
    topic: bytes = publisher.topic or b"display_data"

    def send(kind: str, content: dict[str, Any]) -> None:
        pacer.wait(len(content["text"].encode("utf-8", "replace")) if kind == "stream" else 0)
        ident = topic.replace(b"display_data", kind.encode())
        parent = publisher.parent_header
        publisher.session.send(publisher.pub_socket, kind, content, parent=parent, ident=ident)

    return send


def _sessions(shell: Any) -> list[Any]:
    """Every Session object that sends this kernel's output (normally one, shared)."""
    holders = [shell.kernel, shell.display_pub, shell.displayhook, sys.stdout, sys.stderr]
    found: dict[int, Any] = {}
    for holder in holders:
        session = getattr(holder, "session", None)
        if session is not None and callable(getattr(session, "send", None)):
            found.setdefault(id(session), session)
    return list(found.values())


def _drain_fd_pipes() -> None:
    """Wait until ipykernel has read what subprocesses wrote to fds 1 and 2 (``!cmd``, ``os.system``)."""
    deadline = time.monotonic() + _PIPE_DRAIN_SECONDS
    for stream in (sys.stdout, sys.stderr):
        pipe = getattr(stream, "_fid", None)  # the read end ipykernel's watcher thread reads
        if not isinstance(pipe, int):
            continue
        while time.monotonic() < deadline and _pending_bytes(pipe) > 0:
            time.sleep(0.005)
    time.sleep(0.01)  # let the watcher hand its last read to the stream


def _pending_bytes(fd: int) -> int:
    buffer = bytearray(4)
    try:
        fcntl.ioctl(fd, termios.FIONREAD, buffer)
    except OSError:
        return 0
    return int.from_bytes(buffer, sys.byteorder)


def _flush_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass


def _msg_id(parent: Any) -> str | None:
    if not isinstance(parent, dict):
        return None
    header = parent.get("header", parent)
    msg_id = header.get("msg_id") if isinstance(header, dict) else None
    return str(msg_id) if msg_id else None


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _to_record(kind: str, content: dict[str, Any], display_id: Any) -> dict[str, Any]:
    if kind == "clear_output":
        return {"type": kind, "wait": bool(content.get("wait"))}
    if kind == "error":
        return {"type": kind, **{key: content.get(key) for key in ("ename", "evalue", "traceback")}}
    if kind == "comm_open":
        return {"type": kind, "target_name": content.get("target_name")}
    record = {"type": kind, "data": content.get("data") or {}, "metadata": content.get("metadata") or {}}
    if kind == "execute_result":
        record["execution_count"] = content.get("execution_count")
    if display_id:
        record["display_id"] = display_id
    return record
