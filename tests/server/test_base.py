import pytest

from jlab_platform.errors import Conflict, InvalidInput, InvalidPath, NotFound, PlatformError, Unavailable
from jlab_platform.server.base import status_for


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInput("x"), 400),
        (InvalidPath("x"), 400),
        (NotFound("x"), 404),
        (Conflict("x"), 409),
        (Unavailable("x"), 503),
        (PlatformError("x"), 500),
    ],
)
def test_each_error_kind_has_one_status(error: PlatformError, status: int) -> None:
    assert status_for(error) == status
