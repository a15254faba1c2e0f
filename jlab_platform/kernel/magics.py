"""IPython magics of the platform; ``%load_ext jlab_platform.kernel`` registers them."""

import argparse
import shlex
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class

from . import capture as output_capture
from . import git, jobs
from .client import ServerError, find_server

GIT_SYNC_USAGE = 'Usage: %git_sync -m "what changed"'
JOB_USAGE = """Usage:
  %job run SCRIPT [--env cpu|gpu] [--name NAME] [-- ARGS...]
  %job list [--status STATUS]
  %job status|log|wait|terminate JOB_ID"""


def format_info(info: dict[str, Any]) -> str:
    def framework(name: str) -> str:
        entry = info.get(name) or {}
        if not entry.get("available"):
            return "not installed"
        return str(entry.get("version") or "installed")

    gpu_names = ", ".join(info.get("gpu_names") or [])
    lines = [
        f"jlab_platform {info.get('version')}  (store schema v{info.get('schema_version')})",
        f"  Python      {info.get('python')}",
        f"  PyTorch     {framework('torch')}",
        f"  TensorFlow  {framework('tensorflow')}",
        f"  git         {framework('git')}",
        f"  GPUs        {info.get('gpus')}" + (f" ({gpu_names})" if gpu_names else ""),
        f"  results/    {info.get('results_dir')}",
    ]
    return "\n".join(lines)


@magics_class
class PlatformMagics(Magics):
    @line_magic
    def platform_info(self, line: str) -> None:
        """Print the platform server's version and what it detected (GPUs, torch, TF, git)."""
        print(format_info(find_server().request("GET", "info")))

    @line_magic
    def job(self, line: str) -> dict[str, Any] | None:
        """Submit and follow platform jobs; see ``%job help``."""
        try:
            return run_job_command(shlex.split(line))
        except (ValueError, argparse.ArgumentError) as exc:
            print(f"{exc}\n{JOB_USAGE}")
        except ServerError as exc:
            print(f"The platform refused: {exc}")
        return None

    @line_magic
    def git_sync(self, line: str) -> dict[str, Any] | None:
        """Commit the workspace, pull and push, as the Sync button does: ``%git_sync -m "message"``."""
        parser = argparse.ArgumentParser(prog="%git_sync", exit_on_error=False, add_help=False)
        parser.add_argument("-m", "--message", default="")
        try:
            parsed, extra = parser.parse_known_args(shlex.split(line))
            if extra:
                raise ValueError(f"Unexpected words: {' '.join(extra)} (quote the message)")
            result = git.sync(parsed.message)
        except (ValueError, argparse.ArgumentError) as exc:
            print(f"{exc}\n{GIT_SYNC_USAGE}")
            return None
        except ServerError as exc:
            print(f"Sync refused: {exc}")
            return None
        print(git.describe(result))
        return result

    @cell_magic
    def capture_output(self, line: str, cell: str) -> None:
        """Run the cell as usual and also save every output it shows, to restore it later.

        ``%%capture_output NAME`` as the first line of a cell. The outputs still appear live;
        they are appended to the platform's store as they happen, so closing the browser or
        losing the kernel loses nothing shown so far. ``%restore_output NAME`` shows them again.
        """
        name = output_capture.parse_name(line, "%%capture_output NAME")
        output_capture.run_captured(self.shell, name, cell)

    @line_magic
    def restore_output(self, line: str) -> None:
        """Show again what the cell captured as NAME showed: ``%restore_output NAME``."""
        output_capture.restore_output(self.shell, output_capture.parse_name(line, "%restore_output NAME"))

    @line_magic
    def convert_tflite(self, line: str) -> None:
        """Convert a model to TensorFlow Lite beside it and verify it: ``%convert_tflite PATH``.

        PATH is a SavedModel folder, a .keras or a .h5 file. Options: ``--quantize
        none|dynamic|float16|int8``, ``--representative-data PATH`` (a folder of images or a
        .npy of inputs; int8 needs it), ``--select-tf-ops``, ``--output PATH``.
        """
        from . import convert

        usage = (
            "Usage: %convert_tflite PATH [--quantize none|dynamic|float16|int8] "
            "[--representative-data PATH] [--select-tf-ops] [--output PATH]"
        )
        parser = argparse.ArgumentParser(prog="%convert_tflite", exit_on_error=False, add_help=False)
        parser.add_argument("path")
        parser.add_argument("--quantize", default="none", choices=["none", "dynamic", "float16", "int8"])
        parser.add_argument("--representative-data")
        parser.add_argument("--select-tf-ops", action="store_true")
        parser.add_argument("--output")
        try:
            args = parser.parse_args(shlex.split(line))
            record = convert.to_tflite(
                args.path,
                quantize=args.quantize,
                representative_data=args.representative_data,
                allow_select_tf_ops=args.select_tf_ops,
                output=args.output,
            )
        except (ValueError, argparse.ArgumentError, SystemExit) as exc:
            print(f"{exc}\n{usage}")
        except ServerError as exc:
            print(f"The platform refused: {exc}")
        except convert.ConversionFailed as exc:
            print(f"Conversion failed: {exc}")
            if exc.ops:
                print("Run again with --select-tf-ops to convert with them (the model is then not verified).")
        else:
            print(convert.format_record(record))

    @line_magic
    def platform_tensorboard(self, line: str) -> None:
        """Open TensorBoard on a folder in a JupyterLab tab: ``%platform_tensorboard [LOGDIR]``.

        LOGDIR defaults to where every job's metrics are written (results/tensorboard).
        """
        from .tensorboard import open_tensorboard

        words = shlex.split(line)
        if len(words) > 1:
            print("Usage: %platform_tensorboard [LOGDIR]  (quote a folder name with spaces)")
            return
        try:
            open_tensorboard(words[0] if words else None)
        except ServerError as exc:
            print(f"The platform refused: {exc}")

    @line_magic("7zx")  # type: ignore[arg-type]  # IPython types the named form of the decorator as taking nothing
    def extract_archive(self, line: str) -> None:
        """Extract archives into a folder named after each, refusing unsafe ones: ``%7zx FILE``.

        The same as the ``7zx`` command (``!7zx --help`` lists its options).
        """
        from ..files import cli

        try:
            cli.main(shlex.split(line))
        except SystemExit:  # --help, or a usage error argparse already printed
            pass


def run_job_command(words: list[str]) -> dict[str, Any] | None:
    if not words or words[0] in ("help", "-h", "--help"):
        print(JOB_USAGE)
        return None
    command, rest = words[0], words[1:]
    if command == "run":
        script_args = rest[rest.index("--") + 1 :] if "--" in rest else []
        options = rest[: rest.index("--")] if "--" in rest else rest
        parser = argparse.ArgumentParser(prog="%job run", exit_on_error=False, add_help=False)
        parser.add_argument("script")
        parser.add_argument("--env", default="cpu", choices=["cpu", "gpu"])
        parser.add_argument("--name")
        parsed = parser.parse_args(options)
        job = jobs.submit(parsed.script, env=parsed.env, name=parsed.name, args=script_args)
        print(f"Submitted job {job['name']} ({job['id']}) on {job['env']}: {job['status']}")
        return job
    if command == "list":
        parser = argparse.ArgumentParser(prog="%job list", exit_on_error=False, add_help=False)
        parser.add_argument("--status")
        for job in jobs.list_jobs(status=parser.parse_args(rest).status):
            runtime = job["runtime_seconds"]
            took = f"{runtime:8.1f}s" if runtime is not None else " " * 9
            print(
                f"{job['id']}  {job['status']:<10} {job['env']:<7} {took}  {job['name']}  ({job['script']})"
            )
        return None
    if command in ("status", "log", "wait", "terminate") and len(rest) == 1:
        job_id = rest[0]
        if command == "log":
            print(jobs.log(job_id), end="")
            return None
        job = {"status": jobs.get, "wait": jobs.wait, "terminate": jobs.terminate}[command](job_id)
        reason = f" ({job['reason']})" if job.get("reason") else ""
        print(f"{job['name']} ({job['id']}): {job['status']}{reason}")
        return job
    raise ValueError(f"Unknown %job command: {' '.join(words)}")
