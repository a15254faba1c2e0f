"""A labeling task whose rounds are scored by jobs on a real Ray head node, its store on both databases."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from ray.job_submission import JobSubmissionClient

from jlab_platform.crowd.identity import Identity
from jlab_platform.jobs.ray_executor import RayExecutor
from tests.crowd.conftest import Crowd, crowd_on
from tests.crowd.test_rounds import label_round
from tests.helpers.ray_cluster import RayHead

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def ray_crowd(tmp_path: Path, db_url: str, ray_head: RayHead) -> Iterator[Crowd]:
    crowd = crowd_on(tmp_path, db_url, RayExecutor(ray_head.address))
    yield crowd
    crowd.service.close()
    crowd.service.store.dispose()


def test_rounds_are_scored_and_retrained_by_ray_jobs(ray_crowd: Crowd, ray_head: RayHead) -> None:
    created, links = ray_crowd.create(
        {
            "name": "on ray",
            "dataset": "datasets/shapes",
            "module": "modules/cstest",
            "max_choose": 4,
            "labelers": ["alice"],
        },
        "owner",
    )
    task = ray_crowd.wait(created.id, "labeling", "failed", timeout=300)
    assert task.state == "labeling", task.error
    assert ray_crowd.jobs.get(task.job_id).status == "success"
    assert str(JobSubmissionClient(ray_head.address).get_job_status(task.job_id)) == "SUCCEEDED"
    assert "scored 12 samples" in ray_crowd.jobs.log(task.job_id, 0, 1 << 20).data

    alice = Identity.invited(links[0].token)
    assert label_round(ray_crowd, alice) == 4
    ray_crowd.service.next_round(created.id)
    task = ray_crowd.wait(created.id, "labeling", "failed", timeout=300)
    assert task.state == "labeling" and task.round == 2, task.error
    assert "trained on 4 labels" in ray_crowd.jobs.log(task.job_id, 0, 1 << 20).data
