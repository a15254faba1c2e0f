from jlab_platform.capture.text import visible
from jlab_platform.capture.throttle import StreamThrottle


def test_a_lone_chunk_is_written_at_once() -> None:
    throttle = StreamThrottle(0.25)
    assert throttle.add("stdout", "hello\n", now=10.0) == [
        {"type": "stream", "name": "stdout", "text": "hello\n"}
    ]
    assert not throttle.holding


def test_a_burst_is_held_and_written_as_one_record_with_its_final_state() -> None:
    throttle = StreamThrottle(0.25)
    throttle.add("stderr", "\r0%", now=0.0)
    for i in range(1, 100):
        assert throttle.add("stderr", f"\r{i}%", now=i * 0.001) == []
    assert throttle.due(0.2) == []
    assert throttle.due(0.3) == [{"type": "stream", "name": "stderr", "text": "\r99%"}]


def test_200_000_progress_updates_in_10_seconds_become_a_few_dozen_records() -> None:
    throttle = StreamThrottle(0.25)
    records = []
    updates, seconds = 200_000, 10.0
    for i in range(updates):
        now = i * seconds / updates
        records += throttle.add("stderr", f"\r{i * 100 // (updates - 1):3d}%|{i}/{updates - 1}", now)
        if i % 1000 == 0:  # the recorder's timer
            records += throttle.due(now)
    records += throttle.drain()
    assert len(records) <= seconds / 0.25 + 2
    assert sum(len(r["text"]) for r in records) < 2000
    assert visible("".join(r["text"] for r in records)) == "100%|199999/199999"


def test_the_other_stream_first_writes_what_is_held_so_order_is_kept() -> None:
    throttle = StreamThrottle(0.25)
    throttle.add("stdout", "a\n", now=0.0)
    throttle.add("stdout", "b\n", now=0.01)
    written = throttle.add("stderr", "warning\n", now=0.02)
    assert [(r["name"], r["text"]) for r in written] == [("stdout", "b\n")]
    assert throttle.drain() == [{"type": "stream", "name": "stderr", "text": "warning\n"}]
    assert throttle.drain() == []
