"""Assignment, leases, labels, skips and undo, on SQLite and on PostgreSQL."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from jlab_platform.crowd import CrowdService
from jlab_platform.crowd.identity import Identity
from jlab_platform.crowd.models import LabelingAnswer, Undone
from jlab_platform.crowd.service import RoundEvent
from jlab_platform.crowd.tokens import TokenRejected
from jlab_platform.errors import Conflict, InvalidInput, NotFound
from tests.crowd.conftest import labeling_task, make_crowd
from tests.crowd.modules import make_images


def invite(service: CrowdService, task_id: str, name: str, **kwargs: Any) -> Identity:
    return Identity.invited(service.invite(task_id, name, **kwargs).token)


def label_until_done(
    service: CrowdService, who: Identity, label: str = "cat", together: threading.Barrier | None = None
) -> list[str]:
    """What a labeling page does: label what it is given until nothing is left for it."""
    done = []
    answer = service.labeling.next(who).result()
    if together is not None:
        together.wait()  # every page holds its first samples before anyone labels
    while answer.samples:
        sample = answer.samples[0].id
        answer = service.labeling.submit(who, sample, label, f"req-{sample}").result()
        done.append(sample)
    return done


def test_concurrent_labelers_never_share_a_sample_without_overlap(store_crowd: CrowdService) -> None:
    events: list[RoundEvent] = []
    store_crowd.on_event(events.append)
    task = labeling_task(store_crowd, samples=12)
    people = [invite(store_crowd, task, name) for name in ("ann", "ben", "cat")]
    together = threading.Barrier(3)
    with ThreadPoolExecutor(3) as pool:
        labeled = list(pool.map(lambda who: label_until_done(store_crowd, who, together=together), people))
    everything = [sample for mine in labeled for sample in mine]
    assert len(everything) == 12 and len(set(everything)) == 12
    assert all(mine for mine in labeled)  # everyone got work
    status = store_crowd.get_task(task)
    assert status.round_complete and status.progress.labels == 12
    assert [e.kind for e in events] == ["round_complete"]


def test_overlap_gives_each_sample_to_that_many_different_labelers(store_crowd: CrowdService) -> None:
    task = labeling_task(store_crowd, samples=5, overlap=2)
    people = [invite(store_crowd, task, name) for name in ("ann", "ben", "cat")]
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda who: label_until_done(store_crowd, who), people))
    labels = store_crowd.labels(task).labels
    by_sample: dict[str, list[str]] = {}
    for row in labels:
        by_sample.setdefault(row.sample, []).append(row.labeler)
    assert len(by_sample) == 5
    assert all(len(names) == 2 and len(set(names)) == 2 for names in by_sample.values())
    round_one = store_crowd.get_task(task).rounds[0]
    assert round_one.agreement.items == 5 and round_one.agreement.fleiss_kappa is None


def test_a_skipped_sample_is_not_offered_again_to_the_same_labeler(store_crowd: CrowdService) -> None:
    task = labeling_task(store_crowd, samples=2)
    ann, ben = invite(store_crowd, task, "ann"), invite(store_crowd, task, "ben")
    first, second = (s.id for s in store_crowd.labeling.next(ann).result().samples)
    after_skip = store_crowd.labeling.skip(ann, first).result()
    assert [s.id for s in after_skip.samples] == [second]
    assert [s.id for s in store_crowd.labeling.next(ann).result().samples] == [second]
    assert [s.id for s in store_crowd.labeling.next(ben).result().samples] == [first]


def test_the_page_keeps_its_order_and_a_smaller_prefetch_lets_go_of_the_rest(
    store_crowd: CrowdService,
) -> None:
    task = labeling_task(store_crowd, samples=6)
    ann, ben = invite(store_crowd, task, "ann"), invite(store_crowd, task, "ben")
    engine = store_crowd.labeling

    def ids(answer: LabelingAnswer) -> list[str]:
        return [s.name for s in answer.samples]

    assert ids(engine.next(ann, 3).result()) == ["img_000.png", "img_001.png", "img_002.png"]
    first = engine.next(ann, 3).result().samples[0].id
    # The one shown next is the one already loading; the new one goes last.
    after = engine.submit(ann, first, "cat", "k1", 3).result()
    assert ids(after) == ["img_001.png", "img_002.png", "img_003.png"]
    assert ids(engine.next(ann, 1).result()) == ["img_001.png"]
    assert ids(engine.next(ben, 3).result()) == ["img_002.png", "img_003.png", "img_004.png"]


def test_leases_expire_and_the_sample_goes_to_someone_else(tmp_path: Path, db_url: str) -> None:
    root = tmp_path / "workspace"
    make_images(root / "datasets" / "pets", 2)
    _, service = make_crowd(root, db_url, lease_seconds=0.5)
    task = labeling_task(service, samples=2)
    ann, ben = invite(service, task, "ann"), invite(service, task, "ben")
    assert len(service.labeling.next(ann).result().samples) == 2
    assert service.labeling.next(ben).result().samples == []
    time.sleep(0.7)
    assert len(service.labeling.next(ben).result().samples) == 2
    service.close()
    service.store.dispose()


def test_a_labeler_whose_leases_expired_gets_the_samples_again_as_new_leases(
    tmp_path: Path, db_url: str
) -> None:
    root = tmp_path / "workspace"
    make_images(root / "datasets" / "pets", 3)
    _, service = make_crowd(root, db_url, lease_seconds=0.5)
    task = labeling_task(service, samples=3)
    ann = invite(service, task, "ann")
    first = service.labeling.next(ann).result().samples
    time.sleep(0.7)
    # Both expired: let go, and the same top samples leased to ann again (the lease rows taken anew).
    again = service.labeling.next(ann).result().samples
    assert [s.id for s in again] == [s.id for s in first]
    labeled = service.labeling.submit(ann, again[0].id, "cat", "k1").result()
    assert [s.name for s in labeled.samples] == ["img_001.png", "img_002.png"]
    service.close()
    service.store.dispose()


def test_undo_offers_the_sample_again_and_can_reopen_a_complete_round(store_crowd: CrowdService) -> None:
    events: list[RoundEvent] = []
    store_crowd.on_event(events.append)
    task = labeling_task(store_crowd, samples=1)
    ann = invite(store_crowd, task, "ann")
    sample = store_crowd.labeling.next(ann).result().samples[0].id
    done = store_crowd.labeling.submit(ann, sample, "dog", "r1").result()
    assert done.progress.round_complete and done.samples == []
    folder = Path(store_crowd.paths.root) / store_crowd.get_task(task).results.folder
    assert (folder / "round-1.csv").read_text().splitlines() == ["sample,label", "img_000.png,dog"]

    undone = store_crowd.labeling.undo(ann).result()
    assert undone.undone == Undone(sample_id=sample, label="dog")
    assert undone.samples[0].id == sample and not undone.progress.round_complete
    assert not (folder / "round-1.csv").exists()  # no result for a round that is open again
    with pytest.raises(Conflict, match="Nothing to undo"):
        store_crowd.labeling.undo(ann).result()
    store_crowd.labeling.submit(ann, sample, "cat", "r2").result()
    assert (folder / "round-1.csv").read_text().splitlines()[1] == "img_000.png,cat"
    assert [e.kind for e in events] == ["round_complete", "round_complete"]


def test_a_retried_submission_is_counted_once(store_crowd: CrowdService) -> None:
    task = labeling_task(store_crowd, samples=3)
    ann = invite(store_crowd, task, "ann")
    sample = store_crowd.labeling.next(ann).result().samples[0].id
    first = store_crowd.labeling.submit(ann, sample, "cat", "same-key").result()
    again = store_crowd.labeling.submit(ann, sample, "cat", "same-key").result()
    assert first.duplicate is False and again.duplicate is True
    assert again.progress.labels == 1 and len(store_crowd.labels(task).labels) == 1
    with pytest.raises(Conflict, match="request id"):
        store_crowd.labeling.submit(ann, sample, "dog", "same-key").result()


def test_labels_and_leases_survive_a_restart(tmp_path: Path, db_url: str) -> None:
    root = tmp_path / "workspace"
    make_images(root / "datasets" / "pets", 4)
    _, service = make_crowd(root, db_url, lease_seconds=300.0)
    task = labeling_task(service, samples=4)
    ann = invite(service, task, "ann")
    ben_token = service.invite(task, "ben").token
    leased = [s.id for s in service.labeling.next(ann).result().samples]
    service.labeling.submit(ann, leased[0], "cat", "before-restart").result()
    service.close()
    service.store.dispose()

    _, restarted = make_crowd(root, db_url, lease_seconds=300.0)
    kept = restarted.labeling.next(ann).result().samples
    assert kept[0].id == leased[1]  # still ann's: not released early
    ben_gets = {s.id for s in restarted.labeling.next(Identity.invited(ben_token), 3).result().samples}
    assert leased[1] not in ben_gets and leased[0] not in ben_gets
    assert [row.label for row in restarted.labels(task).labels] == ["cat"]
    assert restarted.labeling.submit(ann, leased[0], "cat", "before-restart").result().duplicate is True
    restarted.close()
    restarted.store.dispose()


def test_bad_labels_are_refused_with_what_to_fix(store_crowd: CrowdService) -> None:
    task = labeling_task(store_crowd, samples=2)
    ann = invite(store_crowd, task, "ann")
    sample = store_crowd.labeling.next(ann).result().samples[0].id
    with pytest.raises(InvalidInput, match="Unknown class 'cow'"):
        store_crowd.labeling.submit(ann, sample, "cow", None).result()
    with pytest.raises(NotFound):
        store_crowd.labeling.submit(ann, "nosuchsample", "cat", None).result()
    with pytest.raises(NotFound):
        store_crowd.labeling.submit(ann, "../../etc/passwd", "cat", None).result()
    store_crowd.labeling.submit(ann, sample, "cat", None).result()
    with pytest.raises(Conflict, match="already labeled"):
        store_crowd.labeling.submit(ann, sample, "dog", None).result()
    with pytest.raises(InvalidInput, match="request_id"):
        store_crowd.labeling.submit(ann, sample, "dog", "x" * 65).result()


def test_links_are_scoped_revocable_and_expire(store_crowd: CrowdService) -> None:
    task_a = labeling_task(store_crowd, samples=2)
    task_b = labeling_task(store_crowd, samples=2)
    ann_a = invite(store_crowd, task_a, "ann")
    ann_b = invite(store_crowd, task_b, "ann")
    sample_b = store_crowd.labeling.next(ann_b).result().samples[0].id
    with pytest.raises(NotFound):
        store_crowd.labeling.image(ann_a, sample_b).result()
    with pytest.raises(NotFound):
        store_crowd.labeling.submit(ann_a, sample_b, "cat", None).result()
    assert store_crowd.labeling.image(ann_b, sample_b).result()[0] == "datasets/pets"

    labeler_id = ann_a.token.split(".")[0] if ann_a.token else ""
    store_crowd.revoke(task_a, labeler_id)
    with pytest.raises(TokenRejected, match="revoked") as revoked:
        store_crowd.labeling.next(ann_a).result()
    assert revoked.value.guess is False

    short = invite(store_crowd, task_a, "cy", expires_hours=0.0002)
    assert store_crowd.labeling.overview(short).result().labeler == "cy"
    time.sleep(0.9)
    with pytest.raises(TokenRejected, match="expired"):
        store_crowd.labeling.overview(short).result()

    wrong_secret = Identity.invited(ann_b.token.rsplit(".", 1)[0] + ".guess" if ann_b.token else "")
    with pytest.raises(TokenRejected, match="not valid") as guessed:
        store_crowd.labeling.next(wrong_secret).result()
    assert guessed.value.guess is True

    reinvited = invite(store_crowd, task_a, "ann")  # a new link for the same person: the old one stays dead
    assert store_crowd.labeling.overview(reinvited).result().labeler == "ann"
    with pytest.raises(TokenRejected):
        store_crowd.labeling.next(ann_a).result()
