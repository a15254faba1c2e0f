"""Several service processes of one deployment on one port:
``python -m jlab_platform.deploy.workers N STATE_FILE -- <runtime command, without --state-file>``.

The supervisor runs this one process; it starts N runtime processes (each binds the port with
SO_REUSEPORT, so the kernel spreads connections over them) and writes STATE_FILE as the runtime
does: ``ready`` once all of them are, ``failed`` with the first failure. SIGTERM reaches all of
them (the supervisor signals the whole group) and each drains. When one dies the others are
stopped and its exit code is this process's.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ..files.atomic import write_json_atomic


def main(argv: list[str]) -> int:
    count, state_file, command = int(argv[0]), Path(argv[1]), argv[3:]
    files = [state_file.with_name(f"{state_file.stem}-{index}.json") for index in range(count)]
    children = [subprocess.Popen([*command, "--state-file", str(file)]) for file in files]
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    written = ""
    while True:
        ended = [child.returncode for child in children if child.poll() is not None]
        states = [_state(file) for file in files]
        failed = next((s for s in states if s.get("state") == "failed"), None)
        if failed is not None or (ended and not stopping):
            state = {"state": "failed", "reason": (failed or {}).get("reason") or "a worker process exited"}
        elif all(s.get("state") == "ready" for s in states):
            state = {"state": "ready", "reason": None}
        else:
            state = {"state": "starting", "reason": None}
        if state["state"] != written:
            write_json_atomic(state_file, {**state, "pid": os.getpid(), "workers": count})
            written = str(state["state"])
        if ended and (stopping or state["state"] == "failed"):
            stop(signal.SIGTERM, None)
            codes = [child.wait() for child in children]
            return next((code for code in codes if code), 0)
        time.sleep(0.1)


def _state(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
