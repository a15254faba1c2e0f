"""The error a conversion reports: what went wrong, what to do, and data the UI acts on."""

from typing import Any

from ..errors import PlatformError


class ConversionError(PlatformError):
    def __init__(self, message: str, detail: str = "", data: dict[str, Any] | None = None) -> None:
        super().__init__(message, detail)
        self.data = data or {}
