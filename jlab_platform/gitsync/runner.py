"""Run git without ever waiting for a person: no prompts, no editors, a timeout on every call.

Credentials come from the usual git mechanisms (credential helpers, SSH keys and agents);
when none fits, git fails at once instead of asking a terminal, and the failure is
reported as an authentication failure.
"""

import os
import shutil
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import AuthenticationFailed, Conflict, PlatformError, Unavailable

_TRUE = shutil.which("true") or "/bin/true"

# What git, ssh and the HTTP transports print when the remote wants other credentials.
_AUTH_MARKERS = (
    "authentication failed",
    "could not read username",
    "could not read password",
    "terminal prompts disabled",
    "permission denied (publickey",
    "permission denied, please try again",
    "host key verification failed",
    "access denied",
    "invalid username or password",
    "requested url returned error: 401",
    "requested url returned error: 403",
)
_NETWORK_MARKERS = (
    "could not resolve host",
    "connection refused",
    "connection timed out",
    "network is unreachable",
    "failed to connect",
    "could not read from remote repository",
    "unable to access",
    "does not appear to be a git repository",
    "repository not found",
)


@dataclass(frozen=True)
class GitResult:
    returncode: int
    stdout: bytes
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8", "replace")


class Git:
    """``git`` in one working tree, with a safe environment and a timeout."""

    def __init__(self, root: Path, timeout: float) -> None:
        self.root = root
        self.timeout = timeout
        self._env = safe_environment(root)

    def run(
        self, *args: str, check: bool = True, what: str = "", env: Mapping[str, str] | None = None
    ) -> GitResult:
        """Run ``git args...`` in the root; raise a typed error when ``check`` and git fails."""
        result = self._spawn(args, {**self._env, **env} if env else self._env)
        if check and not result.ok:
            raise failure(result, what or f"git {args[0]}")
        return result

    def _spawn(self, args: Sequence[str], env: dict[str, str]) -> GitResult:
        try:
            process = subprocess.Popen(
                ["git", *args],
                cwd=self.root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                # Its own process group: a timeout kills the transport helpers (ssh,
                # git-remote-https) too, which would otherwise keep the pipes open.
                start_new_session=True,
            )
        except OSError as exc:
            raise Unavailable("git cannot be started", f"Install git on the server ({exc}).") from exc
        try:
            out, err = process.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise Unavailable(
                f"git {args[0]} did not finish within {self.timeout:g} s",
                "The remote may be unreachable or waiting for a login that cannot be typed here; "
                "check the URL and the credentials (credential helper or SSH key), or raise "
                "c.JlabPlatform.git_timeout_seconds.",
            ) from None
        return GitResult(process.returncode, out, err.decode("utf-8", "replace"))


def safe_environment(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEEP}
    for name in ("LC_ALL", "LANGUAGE"):
        env.pop(name, None)
    env.update(
        {
            "LC_MESSAGES": "C",  # English messages: failures are classified by their text
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_LITERAL_PATHSPECS": "1",  # a file named ":(glob)*" is that file
            "GIT_ASKPASS": _TRUE,
            "SSH_ASKPASS": _TRUE,
            "SSH_ASKPASS_REQUIRE": "never",
            "GCM_INTERACTIVE": "never",
            "GIT_EDITOR": _TRUE,
            "GIT_SEQUENCE_EDITOR": _TRUE,
            "GIT_MERGE_AUTOEDIT": "no",
            # Only the root itself may be the repository, never a folder above it.
            "GIT_CEILING_DIRECTORIES": str(root.parent),
        }
    )
    if "GIT_SSH" not in env:  # GIT_SSH_COMMAND would override a deployment's GIT_SSH wrapper
        ssh = os.environ.get("GIT_SSH_COMMAND") or "ssh"
        env["GIT_SSH_COMMAND"] = f"{ssh} -o BatchMode=yes"
    return env


# Identity and SSH settings a deployment may set on purpose; everything else GIT_* (GIT_DIR,
# GIT_WORK_TREE, GIT_INDEX_FILE ...) would point git somewhere other than the workspace.
_KEEP = frozenset(
    {
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_SSH",
        "GIT_SSH_VARIANT",
        "GIT_SSL_NO_VERIFY",
        "GIT_SSL_CAINFO",
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_NOSYSTEM",
    }
)


def failure(result: GitResult, what: str) -> PlatformError:
    """The typed error for a failed git call: authentication, network, or git's own words."""
    message = _last_lines(result.stderr) or result.text.strip() or f"exit status {result.returncode}"
    lowered = result.stderr.lower()
    if any(marker in lowered for marker in _AUTH_MARKERS):
        return AuthenticationFailed(
            f"{what}: the remote refused the credentials",
            "Give git a way to log in without a prompt: an HTTPS token through a credential "
            "helper (git config credential.helper store) or in the URL, or an SSH key loaded "
            f"for the server's user. git said: {message}",
        )
    if any(marker in lowered for marker in _NETWORK_MARKERS):
        return Unavailable(f"{what}: the remote cannot be reached", f"Check the URL. git said: {message}")
    return Conflict(f"{what} failed", message)


def _last_lines(text: str, count: int = 4) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " ".join(lines[-count:])


def _kill_group(process: "subprocess.Popen[bytes]") -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()
