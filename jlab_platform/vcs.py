"""The git commit a workspace is at, so jobs and deployments record what they ran."""

import subprocess
from pathlib import Path


def current_commit(root: Path) -> str | None:
    """HEAD's commit of the repository containing ``root``, or None outside a repository."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--verify", "--quiet", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/local/bin:/usr/bin:/bin"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and commit else None
