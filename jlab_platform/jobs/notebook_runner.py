"""Run a notebook headless for a job: ``python -m jlab_platform.jobs.notebook_runner NB OUT``.

Outputs are printed as they arrive (so the job's log and metrics follow the
notebook live), and the executed copy is saved to OUT even when a cell fails.
The kernel's channels are encrypted (CurveZMQ keys made for this run), which
also keeps ipykernel's "running over TCP without encryption" warning out of the log.
"""

import sys
from pathlib import Path
from typing import Any

import nbformat
import zmq
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from ..files.atomic import atomic_output


class StreamingClient(NotebookClient):
    def create_kernel_manager(self) -> KernelManager:
        manager = super().create_kernel_manager()
        # Written to the connection file: the kernel encrypts with the secret key, we with the public one.
        manager.curve_publickey, manager.curve_secretkey = zmq.curve_keypair()
        return manager

    def output(self, outs: list[Any], msg: dict[str, Any], display_id: str | None, cell_index: int) -> Any:
        content = msg.get("content", {})
        kind = msg.get("msg_type")
        if kind == "stream":
            target = sys.stderr if content.get("name") == "stderr" else sys.stdout
            target.write(content.get("text", ""))
            target.flush()
        elif kind == "error":
            sys.stderr.write("\n".join(content.get("traceback", [])) + "\n")
        return super().output(outs, msg, display_id, cell_index)


def run(notebook_path: Path, output_path: Path) -> int:
    notebook = nbformat.read(notebook_path, as_version=4)
    kernel = notebook.metadata.get("kernelspec", {}).get("name", "python3")
    client = StreamingClient(
        notebook,
        timeout=None,
        kernel_name=kernel,
        resources={"metadata": {"path": str(notebook_path.parent)}},
    )
    status = 0
    try:
        client.execute()
    except CellExecutionError:
        status = 1
    finally:
        output_path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(output_path) as partial:
            nbformat.write(notebook, partial)
        print(f"\n[jlab_platform] executed notebook saved to {output_path}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1]), Path(sys.argv[2])))
