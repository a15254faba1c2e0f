"""Rounds with real jobs: the seed's module contract runs unchanged, from round 1 to finish."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from jlab_platform.crowd.identity import Identity
from jlab_platform.crowd.models import DatasetStats, NewTaskRequest, Progress
from jlab_platform.errors import Conflict, InvalidInput
from tests.crowd.conftest import Crowd
from tests.crowd.modules import make_seed_module


def label_round(crowd: Crowd, who: Identity) -> int:
    """Label every sample offered to ``who`` with its true shape."""
    count = 0
    answer = crowd.service.labeling.next(who).result()
    while answer.samples:
        sample = answer.samples[0]
        path = next(name for name in crowd.truth if name.endswith("/" + sample.name))
        answer = crowd.service.labeling.submit(who, sample.id, crowd.truth[path], f"r-{sample.id}").result()
        count += 1
    return count


def test_the_seed_module_runs_unchanged_through_every_round(crowd: Crowd) -> None:
    created, links = crowd.create(
        {
            "name": "shapes",
            "description": "Circle or square?",
            "dataset": "datasets/shapes",
            "module": "modules/cstest",
            "max_choose": 4,
            "labelers": ["alice", "bob"],
        },
        "owner",
    )
    assert created.module_format == "seed" and created.classes == ["circle", "square"]
    assert created.state == "scoring" and [i.labeler.name for i in links] == [
        "alice",
        "bob",
    ]
    task = crowd.wait(created.id, "labeling", "failed")
    assert task.state == "labeling", task.error
    log = crowd.jobs.log(task.job_id, 0, 1 << 20).data
    assert "predict" in log and "scored 12 samples" in log
    assert task.progress == Progress(labels=0, needed=4, samples=4, complete_samples=0)
    # The seed's own files are where its template looks for them, seen from the dataset.
    dataset = crowd.root / "datasets" / "shapes"
    assert (dataset / "results" / created.id / "create.pkl").is_file()

    alice, bob = (Identity.invited(i.token) for i in links)
    crowd.service.labeling.next(bob).result()  # bob's page holds two samples: alice gets the other two
    assert (label_round(crowd, alice), label_round(crowd, bob)) == (2, 2)
    task = crowd.service.get_task(created.id)
    assert task.round_complete and sum(task.rounds[0].by_labeler.values()) == 4
    round_one = (dataset / "results" / "crowdsourcing" / created.id / "round-1.csv").read_text().splitlines()
    assert round_one[0] == "sample,label" and len(round_one) == 5
    first_samples = {line.split(",")[0] for line in round_one[1:]}
    assert all(crowd.truth[line.split(",")[0]] == line.split(",")[1] for line in round_one[1:])

    with pytest.raises(InvalidInput, match="max_rounds"):  # the server's limit (3 by default)
        crowd.create(
            {"name": "more", "dataset": "datasets/shapes", "module": "modules/cstest", "max_rounds": 4}, "o"
        )
    task = crowd.service.next_round(created.id)
    assert task.state == "scoring" and task.round == 2
    task = crowd.wait(created.id, "labeling", "failed")
    assert task.state == "labeling", task.error
    log = crowd.jobs.log(task.job_id, 0, 1 << 20).data
    assert "trained on 4 labels" in log  # train read the round files through the seed's read_csv()
    offered = crowd.service.labeling.next(alice, 3).result().samples
    assert len(offered) == 3 and not {f"images/{s.name}" for s in offered} & first_samples

    with pytest.raises(Conflict, match="still missing"):
        crowd.service.finish(created.id)
    finished = crowd.service.finish(created.id, allow_unlabeled=True)
    assert finished.state == "finished" and finished.finished_incomplete is True
    assert crowd.service.labeling.next(alice).result().waiting.startswith("This task is finished")
    with pytest.raises(Conflict, match="cannot be reopened"):
        crowd.service.reopen(created.id)
    export = json.loads((dataset / "results" / "crowdsourcing" / created.id / "labels.json").read_text())
    assert len(export["labels"]) == 4 and {row["labeler"] for row in export["labels"]} == {"alice", "bob"}
    assert crowd.service.round_rows(created.id)[0].model_dump().keys() == {"sample", "label"}
    listed = crowd.service.list_tasks()
    assert listed.tasks[0].mark == "finished"
    assert listed.datasets == [
        DatasetStats(dataset="datasets/shapes", tasks=1, in_progress=0, finished=1, samples=4, labels=4)
    ]


def test_a_failing_module_shows_its_log_line_and_the_round_runs_again(crowd: Crowd) -> None:
    broken = make_seed_module(crowd.root / "modules" / "broken")
    (broken / "main.py").write_text("import sys\nraise SystemExit('predict: the weights are missing')\n")
    created, _ = crowd.create(
        {"name": "broken", "dataset": "datasets/shapes", "module": "modules/broken", "max_choose": 2}, "owner"
    )
    task = crowd.wait(created.id, "failed", "labeling")
    assert task.state == "failed"
    assert "the weights are missing" in task.error and task.job_id in task.error
    make_seed_module(broken)  # fixed
    again = crowd.service.next_round(created.id)
    assert again.round == 1 and again.state == "scoring"
    assert crowd.wait(created.id, "labeling", "failed").state == "labeling"


def test_a_module_that_breaks_the_contract_is_explained(crowd: Crowd) -> None:
    silent = make_seed_module(crowd.root / "modules" / "silent")
    (silent / "main.py").write_text("def predict():\n    print('forgot sample.pkl')\n")
    created, _ = crowd.create(
        {"name": "silent", "dataset": "datasets/shapes", "module": "modules/silent"}, "owner"
    )
    task = crowd.wait(created.id, "failed", "labeling")
    assert "wrote no sample.pkl" in task.error


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"dataset": "modules", "module": "modules/cstest"}, "has no images"),
        ({"dataset": "datasets/shapes", "module": "modules/nothing"}, "does not exist"),
        ({"dataset": "datasets/shapes", "module": "modules/cstest", "classes": ["a", "b"]}, "differ"),
        ({"dataset": "datasets/shapes", "module": "modules/cstest", "labelers": ["a", "a"]}, "differ"),
    ],
)
def test_bad_tasks_are_refused_with_what_to_fix(crowd: Crowd, body: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as info:
        crowd.create({"name": "bad", **body}, "owner")
    assert info.value.detail
    assert crowd.service.list_tasks().tasks == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"module": "modules/cstest"}, "dataset"),
        ({"dataset": "../outside", "module": "modules/cstest"}, "dataset"),
        ({"dataset": "datasets/shapes", "module": "modules/cstest", "strategy": "vibes"}, "strategy"),
        ({"dataset": "datasets/shapes", "module": "modules/cstest", "overlap": 5}, "overlap"),
        ({"dataset": "datasets/shapes", "module": "modules/cstest", "colour": "red"}, "colour"),
    ],
)
def test_malformed_task_requests_are_refused_at_the_boundary(body: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        NewTaskRequest.model_validate({"name": "bad", **body}, strict=True)
    assert [error["loc"][0] for error in info.value.errors()] == [field]


def test_hostile_names_stay_data(crowd: Crowd, tmp_path: Path) -> None:
    hostile = ["<img src=x onerror=alert(1)>", 'a,b "quoted"']
    make_seed_module(crowd.root / "modules" / "hostile", tuple(hostile))
    created, _ = crowd.create(
        {
            "name": "<script>alert(1)</script>",
            "dataset": "datasets/shapes",
            "module": "modules/hostile",
            "max_choose": 2,
        },
        "owner",
    )
    crowd.wait(created.id, "labeling")
    who = Identity.invited(crowd.service.invite(created.id, "eve").token)
    for sample in crowd.service.labeling.next(who).result().samples:
        crowd.service.labeling.submit(who, sample.id, hostile[1], None).result()
    answer = crowd.service.labeling.next(who).result()
    while answer.samples:
        answer = crowd.service.labeling.submit(who, answer.samples[0].id, hostile[0], None).result()
    csv_file = crowd.root / crowd.service.get_task(created.id).rounds[0].files[0].path
    assert '"a,b ""quoted"""' in csv_file.read_text()  # quoted as CSV, never split
