"""A restarted job is named after its original with a number: ``train (2)``, ``train (3)``."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from jlab_platform.jobs.service import JobService
from jlab_platform.jobs.views import restart_name

from .conftest import Workspace, make_service, wait_for


def test_copies_are_numbered_after_the_highest_one() -> None:
    assert restart_name("train", ["train"]) == "train (2)"
    assert restart_name("train", ["train", "train (2)"]) == "train (3)"
    assert restart_name("train (2)", ["train", "train (2)", "train (3)"]) == "train (4)"
    assert restart_name("train", ["train", "train (7)", "other (9)", "train (x)"]) == "train (8)"
    assert restart_name("fit (2024)", ["fit (2024)"]) == "fit (2025)"


@pytest.fixture
def sqlite_service(ws: Workspace, tmp_path: Path) -> Iterator[JobService]:
    service = make_service(ws, f"sqlite:///{tmp_path / 'platform.db'}")
    yield service
    service.store.dispose()


def test_restarts_get_their_own_names(sqlite_service: JobService, ws: Workspace) -> None:
    service = sqlite_service
    ws.write("train.py", "print('ok')\n")
    first = wait_for(service, service.submit("train.py").id, "success")
    second = wait_for(service, service.restart(first.id).id, "success")
    third = service.restart(first.id)
    fourth = service.restart(wait_for(service, second.id, "success").id)
    assert [first.name, second.name, third.name, fourth.name] == [
        "train",
        "train (2)",
        "train (3)",
        "train (4)",
    ]
    wait_for(service, third.id, "success")
    wait_for(service, fourth.id, "success")
