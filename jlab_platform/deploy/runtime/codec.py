"""Request values in, JSON out: base64 images checked and decoded, results made JSON-safe.

An image is refused (``BadInput``) when its base64 text says it is larger than the limit,
before any of it is decoded; when it is not valid base64; or when Pillow cannot read it.
"""

import base64
import binascii
import io
import math
from dataclasses import dataclass
from typing import Any

from PIL import Image

from ...modules.fieldtypes import coerce
from .config import FieldSpec

# A decompression bomb (a small PNG of a huge canvas) is refused instead of filling the memory.
Image.MAX_IMAGE_PIXELS = 64_000_000
_DATA_URL_MARK = ";base64,"


class BadInput(ValueError):
    """The request is wrong (answered as 400): the message says what to change."""


@dataclass(frozen=True)
class ImageInput:
    """A decoded request image: its bytes (for ModelArts' file-like inputs) and the Pillow image."""

    data: bytes
    image: Image.Image

    @property
    def filename(self) -> str:
        return f"image.{(self.image.format or 'png').lower()}"


def decoded_size(text: str) -> int:
    """How many bytes ``text`` (base64, padding included) decodes to, without decoding it."""
    padding = len(text) - len(text.rstrip("="))
    return max(0, math.floor(len(text) * 3 / 4) - padding)


def decode_image(value: Any, max_bytes: int, field: str = "image") -> ImageInput:
    if not isinstance(value, str) or not value:
        raise BadInput(f"'{field}' must be a non-empty base64 string of an image")
    text = (
        value.split(_DATA_URL_MARK, 1)[1] if value.startswith("data:") and _DATA_URL_MARK in value else value
    )
    if any(c.isspace() for c in text[:200]):  # wrapped lines, as the base64 tool writes them
        text = "".join(text.split())
    size = decoded_size(text)
    if size > max_bytes:
        raise BadInput(f"'{field}' is {size / 2**20:.1f} MB; at most {max_bytes / 2**20:g} MB is accepted")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadInput(f"'{field}' is not valid base64") from None
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise BadInput(f"'{field}' is not an image Pillow can read ({type(exc).__name__})") from None
    return ImageInput(data, image)


def request_values(
    body: Any, fields: dict[str, FieldSpec], max_image_bytes: int, open_fields: bool
) -> dict[str, Any]:
    """The inputs of a ``/predict`` body, typed by ``fields``; images decoded.

    ``open_fields`` (no inputs declared): every field passes unchanged except ``image``,
    which is decoded as the ``/aip`` image is.
    """
    if not isinstance(body, dict):
        raise BadInput("The body must be a JSON object of the inputs")
    if open_fields:
        return {
            name: decode_image(value, max_image_bytes, name) if name == "image" else value
            for name, value in body.items()
        }
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise BadInput(
            f"Unknown input(s) {', '.join(unknown)}; the inputs are: {', '.join(fields) or 'none'}"
        )
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        if name not in body:
            if spec.required and spec.default is None:
                raise BadInput(f"Input '{name}' ({spec.type}) is missing")
            if spec.default is not None:
                values[name] = spec.default
            continue
        values[name] = typed_value(name, spec, body[name], max_image_bytes)
    return values


def typed_value(name: str, spec: FieldSpec, value: Any, max_image_bytes: int) -> Any:
    if spec.type == "image":
        return decode_image(value, max_image_bytes, name)
    if spec.type == "path" or spec.type == "list[path]":
        raise BadInput(f"Input '{name}' is a path: a service takes no paths (send the content instead)")
    if spec.type in ("json", "choice"):
        return value
    try:
        return coerce(spec.type, value)
    except (TypeError, ValueError) as exc:
        raise BadInput(f"Input '{name}': {exc}") from None


def jsonable(value: Any) -> Any:
    """NumPy arrays and scalars, tensors, tuples and sets as plain JSON values."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(item) for item in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars, torch tensors
    if callable(tolist):
        return jsonable(tolist())
    if isinstance(value, Image.Image):
        out = io.BytesIO()
        value.save(out, format="PNG")
        return base64.b64encode(out.getvalue()).decode("ascii")
    return str(value)
