"""IPython magics of the platform; ``%load_ext jlab_platform.kernel`` registers them."""

import argparse
import shlex
from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class

from . import jobs
from .client import ServerError, find_server

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
