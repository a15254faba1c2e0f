import json
from pathlib import Path

from jlab_platform.jobs.metrics import MAX_LINE, MAX_POINTS_PER_SERIES, MetricsState, update


def test_metric_lines_are_parsed_and_malformed_ones_ignored(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    log.write_text(
        "\n".join(
            [
                "epoch 1 starting",
                '{"metric": "loss", "value": 0.9, "step": 1, "total": 4}',
                '{"metric": "loss", "value": "high", "step": 2}',
                '{"metric": "loss", "value": NaN}',
                '{"metric": "loss", "value": 0.5, "step": 2, "total": 4',
                "[1, 2, 3]",
                '{"value": 3}',
                '{"metric": "acc", "value": true}',
                '{"metric": "loss", "value": 0.4, "step": 2, "total": 4}',
                '{"metric": "acc", "value": 0.7}',
            ]
        )
        + "\n"
    )
    state = update(MetricsState(), log)
    result = state.to_model(elapsed_seconds=10.0).model_dump()
    assert result["series"]["loss"] == [
        {"step": 1.0, "value": 0.9, "run": 0},
        {"step": 2.0, "value": 0.4, "run": 0},
    ]
    assert result["series"]["acc"] == [{"step": 0.0, "value": 0.7, "run": 0}]
    assert result["progress"] == {"step": 2.0, "total": 4.0, "fraction": 0.5}
    assert result["eta_seconds"] == 10.0


def test_parsing_is_incremental_and_waits_for_whole_lines(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    log.write_text('{"metric": "loss", "value": 1, "step": 1}\n{"metric": "loss", "val')
    state = update(MetricsState(), log)
    assert len(state.series["loss"]) == 1
    with open(log, "a") as out:
        out.write('ue": 2, "step": 2}\n')
    update(state, log)
    assert [p[1] for p in state.series["loss"]] == [1.0, 2.0]


def test_long_series_are_thinned_but_keep_the_latest_point(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    lines = [json.dumps({"metric": "loss", "value": i, "step": i}) for i in range(3 * MAX_POINTS_PER_SERIES)]
    log.write_text("\n".join(lines) + "\n")
    state = update(MetricsState(), log)
    points = state.series["loss"]
    assert len(points) <= MAX_POINTS_PER_SERIES
    assert points[-1] == (3 * MAX_POINTS_PER_SERIES - 1, 3 * MAX_POINTS_PER_SERIES - 1, 0)


def _metric(step: int, value: float, name: str = "loss") -> str:
    return json.dumps({"metric": name, "value": value, "step": step, "total": 100}) + "\n"


def test_progress_lines_of_megabytes_do_not_stop_the_metrics(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    # 60,000 redraws of a progress bar joined by \r, and a line of 5 MB with no break at all.
    redraws = "".join(f"\r{i}/60000 [{'=' * 50}] loss: 0.5" for i in range(60_000))
    assert len(redraws) > 4 * 1024 * 1024
    log.write_text(_metric(1, 0.9) + redraws + "\n" + "x" * (5 * 1024 * 1024) + "\n" + _metric(2, 0.5))
    state = update(MetricsState(), log)
    assert [p[0] for p in state.series["loss"]] == [1.0, 2.0]
    assert state.offset == log.stat().st_size


def test_a_long_line_still_being_written_is_skipped_to_its_end(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    log.write_text(_metric(1, 0.9) + "y" * (MAX_LINE + 10))
    state = update(MetricsState(), log)
    assert state.skipping and state.offset == log.stat().st_size
    with open(log, "a") as out:
        out.write('y"metric": 7}\n' + _metric(2, 0.5))
    update(state, log)
    assert [p[0] for p in state.series["loss"]] == [1.0, 2.0] and not state.skipping


def test_a_second_call_reads_only_the_new_bytes(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    log.write_text(_metric(1, 0.9) + _metric(2, 0.8))
    state = update(MetricsState(), log)
    # Rewrite what was already read (same length): a second read from the start would see it.
    with open(log, "r+") as out:
        out.write(_metric(1, 0.1) + _metric(2, 0.2))
    with open(log, "a") as out:
        out.write(_metric(3, 0.7))
    update(state, log)
    assert [p[1] for p in state.series["loss"]] == [0.9, 0.8, 0.7]


def test_each_training_in_one_job_is_its_own_run(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    first = "".join(_metric(s, 1 / s) + _metric(s, s / 10, "acc") for s in (1, 2, 3))
    second = "".join(_metric(s, 2 / s) + _metric(s, s / 5, "acc") for s in (1, 2))
    third = '{"run": "run-b"}\n' + _metric(1, 0.3) + '{"run": "run-c"}\n' + _metric(4, 0.2)
    log.write_text(first + second + third)
    result = update(MetricsState(), log).to_model(None).model_dump()
    assert [(p["step"], p["run"]) for p in result["series"]["loss"]] == [
        (1, 0),
        (2, 0),
        (3, 0),
        (1, 1),
        (2, 1),
        (1, 2),
        (4, 3),
    ]
    assert [p["run"] for p in result["series"]["acc"]] == [0, 0, 0, 1, 1]
    assert result["runs"] == [
        {"index": 0, "label": None},
        {"index": 1, "label": None},
        {"index": 2, "label": "run-b"},
        {"index": 3, "label": "run-c"},
    ]
