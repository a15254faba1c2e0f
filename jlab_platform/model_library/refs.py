"""Version numbers and references: ``X.YY`` from a template's version, ``name[@X.YY|@alias]``."""

import re
from dataclasses import dataclass

from ..errors import InvalidInput
from .models import NAME_RULE, VERSION_RULE

_MAJOR = re.compile(r"^v?(\d+)")


def template_major(version: str) -> int:
    """The major number of a module's version (``"3.0"``, ``"v4"``, ``"1.2.3"``); 1 when it has none."""
    found = _MAJOR.match(version.strip())
    return int(found.group(1)) if found else 1


def version_text(major: int, minor: int) -> str:
    """``3.01``: the minor counts publishes within the major, two digits at least."""
    return f"{major}.{minor:02d}"


def is_version(text: str) -> bool:
    return VERSION_RULE.match(text) is not None


@dataclass(frozen=True)
class Ref:
    name: str
    selector: str | None  # a version, an alias, or None for the latest version


def parse_ref(ref: str) -> Ref:
    """``cats`` (latest), ``cats@1.02`` (a version) or ``cats@production`` (an alias)."""
    name, _, selector = ref.strip().partition("@")
    if not NAME_RULE.match(name) or (_ and not selector):
        raise InvalidInput(
            f"{ref!r} is not a model reference",
            "Write name, name@X.YY (a version, e.g. cats@1.02) or name@alias (e.g. cats@production).",
            field="ref",
        )
    return Ref(name, selector or None)
