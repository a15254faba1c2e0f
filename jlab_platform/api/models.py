"""Base types of every request and response model.

Services take and return these; the server parses requests into them once
(``server/endpoint.py``) and the OpenAPI document and the TypeScript types are
generated from them, so what the code serves and what clients read cannot drift.
"""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..errors import PlatformError
from ..paths import checked_parts

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class ApiModel(BaseModel):
    """Unknown fields are refused, in requests and in responses alike (a typo is never ignored)."""

    # An answer always carries every field, defaults included: its schema says so (requests keep
    # fields with defaults optional), so generated clients need no guessing.
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


def _workspace_path(value: str) -> str:
    try:
        checked_parts(value)
    except PlatformError as exc:
        raise ValueError(f"{exc.message}. {exc.detail}") from None
    return value


WorkspacePath = Annotated[
    str,
    AfterValidator(_workspace_path),
    Field(
        description="A path relative to the server's root directory, '/'-separated (no '..', "
        "no absolute path, names of at most 255 bytes).",
        max_length=4096,
    ),
]
"""A path inside the workspace, checked for its form; the service resolves it under the root."""

Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
"""An integer the store can hold (a larger one is no count or offset)."""

Offset = Annotated[int, Field(ge=0, le=INT64_MAX, description="How many items to skip.")]


class ErrorBody(ApiModel):
    """Every 4xx/5xx answer: what went wrong and what to do about it."""

    # Written by the error handler, which leaves out ``field`` and ``fields`` when there are none.
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=False)

    error: str = Field(description="What went wrong, in one sentence.")
    detail: str = Field(description="What to fix or do next.")
    field: str | None = Field(default=None, description="The request's input the error is about.")
    fields: dict[str, str] | None = Field(
        default=None, description="Every invalid input of the request and what to fix in it."
    )
