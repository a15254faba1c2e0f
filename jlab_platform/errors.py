"""Typed domain errors.

Domain modules raise these; the server maps each kind to an HTTP status in one
place (``server/base.py``). ``detail`` tells the user what to fix.
"""


class PlatformError(Exception):
    """Base of every error the platform reports to a user."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class InvalidInput(PlatformError):
    """The request is malformed or a value is out of range (HTTP 400)."""


class InvalidPath(InvalidInput):
    """A user-supplied path is hostile or leaves the server's root directory."""


class NotFound(PlatformError):
    """The named thing does not exist (HTTP 404)."""


class Conflict(PlatformError):
    """The request is valid but clashes with the current state (HTTP 409)."""


class Unavailable(PlatformError):
    """A backend the request needs cannot be reached right now (HTTP 503)."""


class AuthenticationFailed(PlatformError):
    """A remote service (a git remote, ...) refused the credentials it was given (HTTP 401)."""
