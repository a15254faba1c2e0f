import json
from pathlib import Path

from jlab_platform.jobs.metrics import MAX_POINTS_PER_SERIES, MetricsState, update


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
    result = state.to_json(elapsed_seconds=10.0)
    assert result["series"]["loss"] == [{"step": 1.0, "value": 0.9}, {"step": 2.0, "value": 0.4}]
    assert result["series"]["acc"] == [{"step": 0.0, "value": 0.7}]
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
    assert points[-1] == (3 * MAX_POINTS_PER_SERIES - 1, 3 * MAX_POINTS_PER_SERIES - 1)
