import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from jlab_platform.crowd import CrowdService, CrowdSettings
from jlab_platform.crowd.identity import Identity
from jlab_platform.crowd.models import NewTaskRequest, Task
from jlab_platform.crowd.service import CreatedTask
from jlab_platform.crowd.states import LABELING
from jlab_platform.jobs.executor import JobExecutor
from jlab_platform.jobs.service import JobService
from jlab_platform.store.models import CrowdRoundRow, CrowdSampleRow, CrowdTaskRow
from jlab_platform.timeutil import utcnow
from tests.crowd.modules import make_images, make_seed_module
from tests.helpers.services import jobs_on


@dataclass
class Crowd:
    root: Path
    jobs: JobService
    service: CrowdService
    truth: dict[str, str]

    def create(self, body: dict[str, Any], owner: str = "owner") -> CreatedTask:
        """Create a task from a request body, parsed as the server parses it."""
        return self.service.create_task(NewTaskRequest.model_validate(body, strict=True), owner)

    def wait(self, task_id: str, *states: str, timeout: float = 120) -> Task:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.jobs.tick()  # the server's scheduler does this every half second
            task = self.service.get_task(task_id)
            if task.state in states:
                return task
            time.sleep(0.05)
        raise AssertionError(f"task {task_id} did not reach {states}: {self.service.get_task(task_id)}")

    def token(self, task_id: str, name: str) -> Identity:
        return Identity.invited(self.service.invite(task_id, name).token)


def make_crowd(
    root: Path, db_url: str, executor: JobExecutor | None = None, **settings: Any
) -> tuple[JobService, CrowdService]:
    made = jobs_on(root, db_url, executor)
    crowd = CrowdService(
        made.store,
        made.paths,
        made.jobs,
        CrowdSettings(data_dir=made.data, results_dir=made.results, **settings),
    )
    return made.jobs, crowd


def crowd_on(tmp_path: Path, db_url: str, executor: JobExecutor | None = None) -> Crowd:
    """Generated shapes and the seed-format test module in a workspace, with a crowd service."""
    root = tmp_path / "workspace"
    truth = make_images(root / "datasets" / "shapes" / "images", 12)
    make_seed_module(root / "modules" / "cstest")
    jobs, service = make_crowd(root, db_url, executor)
    return Crowd(root, jobs, service, {f"images/{name}": shape for name, shape in truth.items()})


@pytest.fixture
def crowd(tmp_path: Path) -> Iterator[Crowd]:
    crowd = crowd_on(tmp_path, f"sqlite:///{tmp_path / 'platform.db'}")
    yield crowd
    crowd.service.close()
    crowd.service.store.dispose()


def labeling_task(
    service: CrowdService, samples: int = 6, overlap: int = 1, classes: tuple[str, ...] = ("cat", "dog")
) -> str:
    """A task whose round 1 is open with ``samples`` selected samples (no scoring job needed)."""
    with service.store.session() as session:
        task = CrowdTaskRow(
            id=uuid.uuid4().hex[:12],
            name="engine test",
            description="",
            dataset="datasets/pets",
            module="modules/none",
            module_format="seed",
            classes=list(classes),
            max_choose=samples,
            overlap=overlap,
            strategy="least_confidence",
            seed=0,
            max_rounds=3,
            env="cpu",
            train_options={},
            state=LABELING,
            round=1,
            owner="owner",
            created_at=utcnow(),
            finished_incomplete=False,
        )
        session.add(task)
        session.flush()
        session.add(
            CrowdRoundRow(
                task_id=task.id,
                number=1,
                created_at=utcnow(),
                ready_at=utcnow(),
                scored=samples,
                selected=samples,
                done=0,
                labels=0,
                needed=samples * overlap,
                notes=[],
            )
        )
        for rank in range(samples):
            session.add(
                CrowdSampleRow(
                    id=uuid.uuid4().hex[:16],
                    task_id=task.id,
                    round=1,
                    path=f"img_{rank:03d}.png",
                    rank=rank,
                    score=1.0 - rank / 100,
                    wanted=overlap,
                    label_count=0,
                )
            )
        return task.id


@pytest.fixture
def store_crowd(tmp_path: Path, db_url: str) -> Iterator[CrowdService]:
    """A crowd service on SQLite and on PostgreSQL, for what only needs the store."""
    root = tmp_path / "workspace"
    make_images(root / "datasets" / "pets", 6)
    _, service = make_crowd(root, db_url, lease_seconds=60.0)
    yield service
    service.close()
    service.store.dispose()
