"""Spec validation: good specs load; every problem of a broken one is reported with file and line."""

import json
from pathlib import Path

from jlab_platform.modules.catalog import BUILTIN_DIR
from jlab_platform.modules.documents import Problem
from jlab_platform.modules.mainfile import check_main
from jlab_platform.modules.spec import load_spec
from tests.modules.factory import write_module


def problems_of(folder: Path) -> list[str]:
    spec, problems = load_spec(folder / "module_spec.yml", folder.name)
    if spec is not None:
        problems += check_main(folder, spec)
    return [str(problem) for problem in problems]


def test_a_good_spec_loads_with_types_defaults_and_ranges(tmp_path: Path) -> None:
    folder = write_module(tmp_path, "simple")
    spec, problems = load_spec(folder / "module_spec.yml", "simple")
    assert problems == [] and spec is not None
    assert check_main(folder, spec) == []
    steps = spec.actions["train"].input("steps")
    assert steps is not None and steps.default == 3 and steps.bounds == (1.0, 10.0) and not steps.required
    value = spec.actions["predict"].input("value")
    assert value is not None and value.required
    # predict always takes the checkpoint to load, optional.
    checkpoint = spec.actions["predict"].input("checkpoint")
    assert checkpoint is not None and checkpoint.type == "path" and not checkpoint.required
    assert spec.tags == ("demo", "tiny") and spec.task == "regression"


def test_every_type_and_list_types(tmp_path: Path) -> None:
    spec_text = """\
    train:
      inputs:
        a: {type: int, default: 1}
        b: {type: float, default: 0.5, range: [0, 1]}
        c: {type: str, default: hi}
        d: {type: bool, default: true}
        e: {type: choice, choices: [adam, sgd], default: sgd}
        f: {type: path}
        g: {type: image, default: null}
        h: {type: "list[int]", default: [1, 2], range: [0, 5]}
        i: {type: "list[choice]", choices: [x, y], default: [x]}
      outputs:
        out: {type: json}
    """
    folder = write_module(tmp_path, "typed", spec_text, main="def train(a, b, c, d, e, f, g, h, i): pass\n")
    assert problems_of(folder) == []


def test_broken_spec_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    spec_text = """\
    name: "bad name!"
    colour: blue
    train:
      inputs:
        epochs: {type: int, default: 0, range: [1, 10]}
        lr: {type: decimal}
        mode: {type: choice}
        size: {type: str, range: [1, 2]}
        class: {type: int}
        context: {type: int}
        ok: {type: float, range: [5, 1]}
    predict:
      inputs: [not, a, mapping]
    """
    folder = write_module(tmp_path, "broken", spec_text)
    found = problems_of(folder)
    expected = [
        "module_spec.yml:1: name: 'bad name!' is not a valid module name",
        "module_spec.yml:2: colour: unknown key",
        "module_spec.yml:5: train.inputs.epochs.default: does not fit the type int: 0 is outside",
        "module_spec.yml:6: train.inputs.lr.type: type must be one of",
        "module_spec.yml:7: train.inputs.mode: a choice input needs a list of choices",
        "module_spec.yml:8: train.inputs.size.range: a range only applies to int and float inputs",
        "module_spec.yml:9: train.inputs.class: input and output names must be Python identifiers",
        "module_spec.yml:10: train.inputs.context: 'context' is reserved by the platform",
        "module_spec.yml:11: train.inputs.ok.range: the minimum 5 is larger than the maximum 1",
        "module_spec.yml:13: predict.inputs: expected a mapping",
    ]
    for start in expected:
        assert any(problem.startswith(start) for problem in found), (start, found)
    assert len(found) == len(expected), found


def test_yaml_syntax_error_and_duplicate_keys_have_lines(tmp_path: Path) -> None:
    folder = write_module(tmp_path, "syntax", "train:\n  inputs:\n    a: {type: int\n")
    [problem] = problems_of(folder)
    assert problem.startswith("module_spec.yml:4: invalid YAML: ") and "'}'" in problem
    folder = write_module(tmp_path, "dupes", "train:\n  inputs: {}\ntrain:\n  inputs: {}\n")
    assert problems_of(folder) == ["module_spec.yml:3: duplicate key 'train'"]


def test_main_py_is_checked_against_the_spec_without_running_it(tmp_path: Path) -> None:
    main = """\
    import sys
    sys.exit("a module is never imported by the server")

    class Model:
        def train(self, steps, other):
            pass
    """
    folder = write_module(tmp_path, "mismatch", main=main)
    assert problems_of(folder) == [
        "main.py:5: train() has no parameter 'label', which module_spec.yml declares",
        "main.py:5: train() requires 'other', which is not an input in module_spec.yml; "
        "declare it or give it a default",
        "main.py:4: class Model has no predict(), which module_spec.yml declares",
    ]
    folder = write_module(tmp_path, "syntax-main", main="def train(:\n")
    assert problems_of(folder) == ["main.py:1: syntax error: invalid syntax"]
    folder = write_module(
        tmp_path, "two-classes", main="class A:\n def train(self): pass\nclass B:\n def train(self): pass\n"
    )
    assert "several classes define train/predict (class A, class B)" in problems_of(folder)[0]


def test_seed_style_config_json_with_lines(tmp_path: Path) -> None:
    config = {
        "name": "cstest",
        "task_type": "classification",
        "classes": ["dog", "cat"],
        "train": {"inputs": {"epochs": {"type": "int", "default": 2}}},
        "predict": {"inputs": {"images": {"type": "path", "help": "folder"}}},
    }
    main = (
        "class cstest(object):\n    def train(self, epochs=1):\n        pass\n"
        "    def predict(self, images):\n        pass\n"
    )
    folder = write_module(
        tmp_path, "cstest", json.dumps(config, indent=2), main=main, spec_file="config.json"
    )
    spec, problems = load_spec(folder / "config.json", "cstest")
    assert problems == [] and spec is not None
    assert spec.task == "classification" and spec.classes == ("dog", "cat")
    assert check_main(folder, spec) == []

    config["train"]["inputs"]["epochs"]["range"] = "wide"  # type: ignore[index]
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    _, problems = load_spec(folder / "config.json", "cstest")
    assert problems == [
        Problem("config.json", 13, "train.inputs.epochs.range: expected [minimum, maximum], e.g. [1, 100]")
    ]
    (folder / "config.json").write_text('{\n  "name": "x",\n  "train": {,}\n}')
    _, problems = load_spec(folder / "config.json", "cstest")
    assert (
        problems[0].file == "config.json" and problems[0].line == 3 and "invalid JSON" in problems[0].message
    )


def test_the_shipped_modules_are_valid() -> None:
    for name in ("image-classifier", "keras-classifier"):
        folder = BUILTIN_DIR / name
        assert problems_of(folder) == [], name
        assert (folder / "README.md").is_file() and (folder / "requirements.txt").is_file()
