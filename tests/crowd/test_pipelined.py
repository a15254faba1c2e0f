"""Submissions sent together in pipeline mode (PostgreSQL), and what happens when their rows
show that one of them had to be refused: each call still gets its own answer.

The same calls run on SQLite, where every call is ordinary work: the answers must not differ.
"""

import threading
from concurrent.futures import Future
from typing import Any

import pytest

from jlab_platform.crowd import CrowdService
from jlab_platform.crowd.groupcommit import Transaction
from jlab_platform.crowd.identity import Identity
from jlab_platform.crowd.tokens import TokenRejected
from jlab_platform.errors import Conflict, NotFound
from tests.crowd.conftest import labeling_task


def invite(service: CrowdService, task_id: str, name: str) -> Identity:
    return Identity.invited(service.invite(task_id, name).token)


class HeldWriter:
    """Holds the labeling writer on a call of its own, so that the calls made meanwhile queue
    up and form one batch once it lets go."""

    def __init__(self, service: CrowdService) -> None:
        self._gate, entered = threading.Event(), threading.Event()

        def held(_tx: Transaction) -> None:
            entered.set()
            self._gate.wait(10)

        writer = service.labeling._writer  # the engine's own; the test only queues behind it
        self.first: Future[None] = writer.call(held)
        assert entered.wait(10)

    def release(self) -> None:
        self._gate.set()
        self.first.result(10)


def outcome(future: "Future[Any]") -> Any:
    try:
        return future.result(10)
    except Exception as exc:
        return exc


def stored_labels(service: CrowdService, task: str) -> list[tuple[str, str]]:
    return sorted((row.sample_id, row.label) for row in service.labels(task).labels)


def test_a_batch_with_calls_to_refuse_answers_each_call_as_if_alone(store_crowd: CrowdService) -> None:
    task = labeling_task(store_crowd, samples=12, overlap=1)
    people = {name: invite(store_crowd, task, name) for name in ("ann", "ben", "cy", "dee")}
    offered = {name: store_crowd.labeling.next(who).result().samples for name, who in people.items()}
    ann, ben, cy, dee = (offered[name][0].id for name in ("ann", "ben", "cy", "dee"))
    store_crowd.labeling.submit(people["dee"], dee, "cat", "dee-1").result()  # dee labeled before
    labeler_of_cy = (people["cy"].token or "").split(".")[0]
    store_crowd.revoke(task, labeler_of_cy)  # cy's seat was seen while the link was valid
    sent_before = store_crowd.labeling.pipelined_statements

    writer = HeldWriter(store_crowd)
    calls = {
        "ann": store_crowd.labeling.submit(people["ann"], ann, "dog", "ann-1"),
        "ann again": store_crowd.labeling.submit(people["ann"], ann, "dog", "ann-1"),  # a retry
        "ben bogus": store_crowd.labeling.submit(people["ben"], "nosuchsample", "cat", "ben-1"),
        "ben": store_crowd.labeling.submit(people["ben"], ben, "cat", "ben-2"),
        "cy revoked": store_crowd.labeling.submit(people["cy"], cy, "cat", "cy-1"),
        "dee twice": store_crowd.labeling.submit(people["dee"], dee, "dog", "dee-2"),
    }
    writer.release()
    answers = {name: outcome(future) for name, future in calls.items()}

    assert answers["ann"].duplicate is False and answers["ann"].progress.mine == 1
    assert answers["ann again"].duplicate is True
    assert isinstance(answers["ben bogus"], NotFound)
    assert answers["ben"].progress.mine == 1
    assert isinstance(answers["cy revoked"], TokenRejected) and "revoked" in str(answers["cy revoked"])
    assert isinstance(answers["dee twice"], Conflict)
    assert stored_labels(store_crowd, task) == sorted([(ann, "dog"), (ben, "cat"), (dee, "cat")])
    assert store_crowd.get_task(task).progress.labels == 3
    if store_crowd.store.engine.dialect.name == "postgresql":  # tried as one pipeline first
        assert store_crowd.labeling.pipelined_statements > sent_before


def test_pipelined_labels_keep_the_counters_and_complete_the_round(store_crowd: CrowdService) -> None:
    """Labels sent together: each sample's and the round's counts, and the round completed by
    the last label (whether a label completes its sample is read from the stored count)."""
    task = labeling_task(store_crowd, samples=4, overlap=2)
    people = [invite(store_crowd, task, name) for name in ("ann", "ben")]
    pages = [store_crowd.labeling.next(who, prefetch=3).result().samples for who in people]
    assert all(len(page) >= 2 for page in pages)
    for _ in range(2):  # two batches of two labels each, then the rest
        writer = HeldWriter(store_crowd)
        futures = [
            store_crowd.labeling.submit(who, page.pop(0).id, "cat", None)
            for who, page in zip(people, pages, strict=True)
        ]
        writer.release()
        answers = [future.result(10) for future in futures]
        pages = [[sample for sample in answer.samples] for answer in answers]
    while any(pages):
        for index, who in enumerate(people):
            if pages[index]:
                pages[index] = (
                    store_crowd.labeling.submit(who, pages[index][0].id, "dog", None).result().samples
                )
    status = store_crowd.get_task(task)
    assert status.progress.labels == 8 and status.progress.complete_samples == 4
    assert status.round_complete


@pytest.mark.parametrize("prefetch", [0, 3])
def test_a_pipelined_submission_answers_like_an_ordinary_one(
    store_crowd: CrowdService, prefetch: int
) -> None:
    task = labeling_task(store_crowd, samples=6)
    ann = invite(store_crowd, task, "ann")
    first = store_crowd.labeling.next(ann, prefetch=3).result().samples
    sent_before = store_crowd.labeling.pipelined_statements
    answer = store_crowd.labeling.submit(ann, first[0].id, "cat", "k1", prefetch=prefetch).result()
    if prefetch == 0:  # the owner's way of labeling chosen samples: nothing held
        assert answer.samples == []
    else:  # the page keeps its order; one more is added
        assert [sample.id for sample in answer.samples[:2]] == [first[1].id, first[2].id]
        assert len(answer.samples) == 3 and first[0].id not in {s.id for s in answer.samples}
    assert answer.progress.labels == 1 and answer.progress.mine == 1
    if store_crowd.store.engine.dialect.name == "postgresql":
        assert store_crowd.labeling.pipelined_statements == sent_before + 2
