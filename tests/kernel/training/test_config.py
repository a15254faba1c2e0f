"""``TrainConfig`` validation names every bad field; files and module inputs become one config."""

import json
from pathlib import Path

import pytest

from jlab_platform.errors import InvalidInput
from jlab_platform.kernel.training import TrainConfig, TrainConfigError
from jlab_platform.kernel.training.inputs import config_from_inputs, epochs_to_iterations


def fields_of(data: object) -> dict[str, str]:
    with pytest.raises(TrainConfigError) as caught:
        TrainConfig.from_dict(data)  # type: ignore[arg-type]
    assert isinstance(caught.value, InvalidInput)  # the server answers it as a 400
    return caught.value.fields


def test_every_bad_field_is_named_at_once() -> None:
    fields = fields_of(
        {
            "base_lr": 0,
            "batch_size": "many",
            "max_iter": -5,
            "momentum": 1.5,
            "lr_policy": "step",
            "split": {"train": 1.5, "folds": 3},
            "resolution": {"min_width": 64, "max_width": 32, "max_height": 0},
            "augment": {"flip": "sometimes", "scale_range": [2, 1]},
            "learning_rate": 0.1,
        }
    )
    assert set(fields) == {
        "base_lr", "batch_size", "max_iter", "momentum", "stepsize", "split.train", "split.folds",
        "resolution.max_height", "augment.flip", "augment.scale_range", "learning_rate",
    }  # fmt: skip
    assert fields["stepsize"] == "required when lr_policy is 'step'"
    assert fields["learning_rate"] == "unknown field"
    assert "greater than 0" in fields["base_lr"]
    # The width bounds are compared once each is valid on its own.
    assert fields_of({"resolution": {"min_width": 64, "max_width": 32}}) == {
        "resolution.max_width": "32 is smaller than min_width 64"
    }


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"lr_policy": "steps"}, "lr_policy", "use one of: fixed, step, exp, inv, multistep, poly, cosine"),
        ({"lr_policy": "multistep"}, "stepvalues", "required"),
        ({"lr_policy": "multistep", "stepvalues": [100, 50]}, "stepvalues", "increasing"),
        ({"lr_policy": "exp", "gamma": 1.5}, "gamma", "0 < gamma <= 1"),
        ({"display": 0}, "display", "greater than or equal to 1"),
    ],
)
def test_policy_fields(data: dict[str, object], field: str, words: str) -> None:
    assert words in fields_of(data)[field]


def test_json_and_yaml_files_and_the_seeds_task_sections(tmp_path: Path) -> None:
    seed = {
        "classification": {"base_lr": 0.001, "batch_size": 256, "max_iter": 40000, "weight_decay": 0.0001,
                           "momentum": 0.9, "lr_policy": "poly", "power": 0.9, "gamma": 0.1},
        "segmentation": {"base_lr": 0.01, "batch_size": 16, "max_iter": 100000, "weight_decay": 0.0001,
                         "momentum": 0.9, "lr_policy": "poly", "power": 0.9, "gamma": 0.1},
    }  # fmt: skip
    (tmp_path / "seed.json").write_text(json.dumps(seed))
    assert TrainConfig.from_file(tmp_path / "seed.json") == TrainConfig()
    assert TrainConfig.from_file(tmp_path / "seed.json", "segmentation").batch_size == 16
    (tmp_path / "run.yml").write_text(
        "base_lr: 0.02\nlr_policy: multistep\nstepvalues: [10, 20]\nsplit: 0.7\n"
        "resolution: {min_width: 16}\naugment: {flip: true, color: true}\n"
    )
    config = TrainConfig.from_file(tmp_path / "run.yml")
    assert (config.base_lr, config.stepvalues, config.split.train) == (0.02, (10, 20), 0.7)
    assert config.resolution is not None and config.resolution.min_width == 16
    assert config.augment.flip and config.augment.color and not config.augment.random
    assert TrainConfig.from_dict(json.loads(config.to_json())) == config  # what train_config.json holds
    (tmp_path / "bad.yml").write_text("base_lr: [1\n")
    with pytest.raises(TrainConfigError, match="not valid YAML"):
        TrainConfig.from_file(tmp_path / "bad.yml")
    with pytest.raises(TrainConfigError) as caught:
        TrainConfig.from_file(tmp_path / "seed.json", "detection")
    assert "detection" in str(caught.value)


def test_module_inputs_make_one_config_and_a_file_wins(tmp_path: Path) -> None:
    inputs = {
        "base_lr": 0.05, "batch_size": 8, "max_iter": 30, "lr_policy": "poly", "stepsize": None,
        "split": 0.75, "stratified": True, "seed": 3, "min_width": 10, "max_height": None,
        "flip": True, "color": False, "config": None,
    }  # fmt: skip
    config = config_from_inputs(inputs)
    assert (config.base_lr, config.batch_size, config.max_iter, config.seed) == (0.05, 8, 30, 3)
    assert (config.split.train, config.split.seed) == (0.75, 3)
    assert config.resolution is not None and config.resolution.min_width == 10
    assert config.resolution.max_height is None and config.augment.flip
    (tmp_path / "c.yml").write_text("segmentation:\n  base_lr: 0.2\n  augment: {random: true}\n")
    from_file = config_from_inputs({**inputs, "config": str(tmp_path / "c.yml")}, "segmentation")
    assert from_file.base_lr == 0.2 and from_file.augment.random and from_file.augment.flip
    older = config_from_inputs({"lr": 0.3, "val_split": 0.25})  # the inputs the modules took before
    assert older.base_lr == 0.3 and older.split.train == 0.75
    assert config_from_inputs({"val_split": 0.0}).split.train == 1.0
    with pytest.raises(TrainConfigError) as caught:
        config_from_inputs({"lr_policy": "step", "min_width": 20, "max_width": 10})
    assert set(caught.value.fields) == {"stepsize", "resolution.max_width"}


def test_epochs_set_the_iterations_and_one_report_each() -> None:
    config = TrainConfig.from_dict({"batch_size": 8, "max_iter": 5})
    assert epochs_to_iterations(config, None, 20) is config
    per_epoch = epochs_to_iterations(config, 4, 20)  # 3 batches per pass over 20 images
    assert (per_epoch.max_iter, per_epoch.display_every) == (12, 3)
