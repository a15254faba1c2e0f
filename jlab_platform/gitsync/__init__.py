"""Git sync: one-click commit and update, history, diffs and rollback of the workspace."""

from .service import GitService, GitSettings

__all__ = ["GitService", "GitSettings"]
