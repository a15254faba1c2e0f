"""Remotes that refuse, hang or are gone: git must fail at once and say why, never prompt."""

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jlab_platform.errors import AuthenticationFailed, Unavailable

from .conftest import ServiceFactory, git, private_http_remote


@pytest.fixture
def private_remote() -> Iterator[str]:
    with private_http_remote() as url:
        yield url


@pytest.fixture
def silent_remote() -> Iterator[str]:
    """A loopback port that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/project.git"
    finally:
        listener.close()


def test_clone_from_a_remote_that_demands_credentials_is_an_auth_failure(
    make_service: ServiceFactory, private_remote: str
) -> None:
    service = make_service()
    start = time.monotonic()
    with pytest.raises(AuthenticationFailed) as refused:
        service.clone(private_remote)
    assert time.monotonic() - start < 10
    assert "refused the credentials" in refused.value.message
    assert "credential helper" in refused.value.detail
    assert service.status().repository is False  # nothing half-made is left behind


def test_sync_to_a_remote_that_demands_credentials_keeps_the_commit(
    make_service: ServiceFactory, private_remote: str
) -> None:
    service = make_service()
    service.init()
    git(service.root, "remote", "add", "origin", private_remote)
    (service.root / "work.py").write_text("work = 1\n")

    with pytest.raises(AuthenticationFailed):
        service.sync("Work")

    assert service.log(1).commits[0].message == "Work"
    assert service.status().changed == 0


def test_a_remote_that_never_answers_times_out_instead_of_hanging(
    make_service: ServiceFactory, silent_remote: str
) -> None:
    service = make_service(timeout_seconds=1.5)
    start = time.monotonic()
    with pytest.raises(Unavailable, match=r"did not finish within 1\.5 s") as hung:
        service.clone(silent_remote)
    assert time.monotonic() - start < 6
    assert "git_timeout_seconds" in hung.value.detail


def test_an_unreachable_remote_says_so(make_service: ServiceFactory, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    service = make_service()
    with pytest.raises(Unavailable, match="cannot be reached"):
        service.clone(f"http://127.0.0.1:{port}/project.git")
