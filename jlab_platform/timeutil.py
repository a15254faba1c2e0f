"""Times in the store are naive UTC; the API speaks ISO 8601 with an explicit offset."""

import datetime as dt

from .errors import InvalidInput


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def to_iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        # A third of replace(tzinfo=UTC).isoformat()'s time; a job list formats hundreds of these.
        return value.isoformat() + "+00:00"
    return value.astimezone(dt.UTC).isoformat()


def parse_iso(value: str, what: str = "time") -> dt.datetime:
    """An ISO 8601 string as naive UTC (a string without offset is taken as UTC)."""
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(
            f"{what} {value!r} is not an ISO 8601 time", "Use e.g. 2026-11-25T14:30:00Z."
        ) from exc
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed
