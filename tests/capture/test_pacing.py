from jlab_platform.capture.pacing import Pacer, pieces


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_small_restore_goes_out_at_once() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    for _ in range(150):
        pacer.wait()
    pacer.wait(500_000)
    assert clock.now == 0.0


def test_a_large_restore_stays_under_the_servers_limits_and_queues() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    sent: list[tuple[float, int]] = []
    for i in range(10_000):
        size = 200_000 if i % 500 == 0 else 0
        pacer.wait(size)
        sent.append((clock.now, size))

    def window(start: float, seconds: float) -> list[int]:
        return [size for when, size in sent if start <= when < start + seconds]

    for start, _ in sent[::100]:
        assert len(window(start, 3.0)) < 3000 and sum(window(start, 3.0)) < 3_000_000  # server limits
        assert len(window(start, 0.5)) < 1000  # ZeroMQ queue
    assert 11 < clock.now < 14  # 10,000 messages at 800 per second


def test_one_big_stream_piece_waits_for_a_full_bucket_then_goes() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    pacer.wait(1_000_000)
    pacer.wait(1_000_000)
    assert 1.5 < clock.now < 2.0  # the second waits until the bucket holds it again


def test_pieces_cut_long_text_at_line_ends() -> None:
    text = "".join(f"line {i}\n" for i in range(1000))
    cut = pieces(text, limit=1000)
    assert "".join(cut) == text and all(len(p) <= 1000 and p.endswith("\n") for p in cut)
    assert pieces("") == [""] and pieces("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]
