"""Git sync from a notebook: ``git.sync("Tune lr")``, ``git.status()``, ``git.current_commit()``.

The server does the work (as the Sync button does), so a cell and the Platform panel never
interleave two syncs of one repository.
"""

import urllib.parse
from typing import Any

from .client import find_server

# A sync may wait for the network; the server stops git after c.JlabPlatform.git_timeout_seconds.
SYNC_TIMEOUT = 900


def sync(message: str) -> dict[str, Any]:
    """Commit everything not ignored with ``message``, pull, push; the server's sync result."""
    result: dict[str, Any] = find_server().request("POST", "git/sync", {"message": message}, SYNC_TIMEOUT)
    return result


def status(fetch: bool = False) -> dict[str, Any]:
    """Branch, ahead/behind, changed files, conflicts; ``fetch`` asks the remote first."""
    result: dict[str, Any] = find_server().request("GET", "git/status" + ("?fetch=1" if fetch else ""))
    return result


def log(limit: int = 20, path: str | None = None) -> list[dict[str, Any]]:
    """The newest ``limit`` commits (of ``path`` when given), newest first."""
    query = urllib.parse.urlencode({"limit": limit, **({"path": path} if path else {})})
    commits: list[dict[str, Any]] = find_server().request("GET", f"git/log?{query}")["commits"]
    return commits


def current_commit() -> str | None:
    """The workspace's HEAD commit, or None outside a repository or before the first commit."""
    head: str | None = find_server().request("GET", "git/log?limit=1")["head"]
    return head


def resolve(path: str, choice: str) -> dict[str, Any]:
    """Settle one conflicting file: ``choice`` is "mine" or "theirs"."""
    body = {"path": path, "choice": choice}
    result: dict[str, Any] = find_server().request("POST", "git/resolve", body, SYNC_TIMEOUT)
    return result


def abort() -> dict[str, Any]:
    """Stop a sync waiting on conflicts: back to my committed version, nothing pushed."""
    result: dict[str, Any] = find_server().request("POST", "git/abort", {})
    return result


def describe(result: dict[str, Any]) -> str:
    """One line about a sync result, as ``%git_sync`` prints it."""
    commit = (result.get("commit") or "")[:8]
    if result["state"] == "conflicts":
        files = ", ".join(result["conflicts"])
        return (
            f"Sync stopped on conflicts in: {files}. Your work is committed. Choose keep mine / take "
            "theirs per file in the Platform panel (or git.resolve(path, 'mine'|'theirs')), or git.abort()."
        )
    done = ["committed" if result["committed"] else "nothing new to commit"]
    if result["pulled"]:
        done.append(f"pulled from {result['remote']}")
    if result["pushed"]:
        done.append(f"pushed to {result['remote']}")
    elif result["remote"] is None:
        done.append("no remote to push to")
    return f"Synced ({', '.join(done)}); HEAD is {commit or 'empty'}."
