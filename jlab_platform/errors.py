"""Typed domain errors.

Domain modules raise these; the server maps each kind to an HTTP status in one
place (``server/base.py``). ``detail`` tells the user what to fix.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .i18n import N_


class PlatformError(Exception):
    """Base of every error the platform reports to a user.

    ``field``: the request's input the error is about, when there is one (a form shows the
    message next to it); it travels as ``"field"`` in the error body.
    """

    def __init__(self, message: str, detail: str = "", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.field = field


class InvalidInput(PlatformError):
    """The request is malformed or a value is out of range (HTTP 400)."""


class InvalidRequest(InvalidInput):
    """Inputs of a request that do not fit its declared model: each field and what to fix in it."""

    def __init__(self, fields: dict[str, str], message: str | None = None) -> None:
        self.fields = fields
        self._message = message
        super().__init__(self._summary(), self._details(), field=min(fields, default=None))

    def localized(self, translate: Callable[[str], str]) -> "InvalidRequest":
        """The same error with each field's fix (and the message) in another language."""
        # One field's message is made again from its translated fix; any other is translated whole.
        summary = translate(self.message) if self._message or len(self.fields) > 1 else None
        return type(self).from_fields({name: translate(fix) for name, fix in self.fields.items()}, summary)

    @classmethod
    def from_fields(cls, fields: dict[str, str], message: str | None) -> "InvalidRequest":
        error = cls.__new__(cls)
        InvalidRequest.__init__(error, fields, message)
        return error

    def _summary(self) -> str:
        if self._message:
            return self._message
        names = ", ".join(sorted(self.fields))
        if len(self.fields) == 1:
            # One invalid input says itself what is wrong: a client that shows only the
            # message (the kernel library) still tells the user what to fix.
            return f"{names}: {self.fields[names]}"
        return N_(f"Invalid request: check {names}")

    def _details(self) -> str:
        return "; ".join(f"{name}: {fix}" for name, fix in sorted(self.fields.items()))


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


@contextmanager
def about_field(field: str) -> Iterator[None]:
    """Errors raised inside (that name no field yet) are about the input ``field``."""
    try:
        yield
    except PlatformError as exc:
        exc.field = exc.field or field
        raise
