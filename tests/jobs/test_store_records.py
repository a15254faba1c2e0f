from jlab_platform.jobs.records import ExitRecord
from jlab_platform.jobs.store_records import apply_exit
from jlab_platform.store.models import JobRow
from jlab_platform.timeutil import parse_iso

STARTED, ENDED = "2026-12-06T10:00:00+00:00", "2026-12-06T10:00:02+00:00"


def test_an_exit_seen_before_the_start_gives_the_start_too() -> None:
    # A queueing executor (Ray) may find a short job only once it ended, between two polls.
    pending = JobRow(status="pending", started_at=None)
    assert apply_exit(pending, ExitRecord("success", 0, None, ENDED, STARTED))
    assert (pending.status, pending.started_at, pending.finished_at) == (
        "success",
        parse_iso(STARTED),
        parse_iso(ENDED),
    )


def test_a_recorded_start_and_an_ended_job_stay_as_they_are() -> None:
    running = JobRow(status="running", started_at=parse_iso(STARTED))
    assert apply_exit(
        running, ExitRecord("failed", 1, "exited with code 1", ENDED, "2026-12-06T09:00:00+00:00")
    )
    assert running.started_at == parse_iso(STARTED) and running.exit_code == 1
    assert not apply_exit(running, ExitRecord("success", 0, None, ENDED))
    assert running.status == "failed"
