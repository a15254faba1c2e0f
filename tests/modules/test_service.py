"""The service behind the REST API: snippets, the deployment config, favorites."""

import ast
import json
from pathlib import Path

import pytest
import yaml

from jlab_platform.errors import Conflict, InvalidInput, NotFound
from jlab_platform.modules import InvalidParams, ModuleService, ModuleSettings
from jlab_platform.paths import PathResolver
from jlab_platform.store import Store
from tests.modules.factory import write_module, write_stripes


def make_service(root: Path) -> ModuleService:
    store = Store(f"sqlite:///{root.parent / 'platform.db'}")
    store.migrate()
    return ModuleService(store, PathResolver(root), root / "results", ModuleSettings(entry_points=False))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    write_stripes(root / "datasets" / "stripes", per_class=2)
    write_module(root / "modules", "simple")
    (root / "work").mkdir()
    (root / "work" / "exp.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4}))
    return root


def test_paths_in_the_snippet_are_relative_to_the_notebook(root: Path) -> None:
    service = make_service(root)
    result = service.snippet(
        "image-classifier", "train", {"data_dir": "datasets/stripes", "epochs": 2}, notebook="work/exp.ipynb"
    )
    assert 'data_dir="../datasets/stripes"' in result.code and "epochs=2" in result.code
    assert result.params["base_lr"] == 0.05 and result.params["lr"] is None  # defaults filled in
    assert result.config is None
    at_root = service.snippet("image-classifier", "train", {"data_dir": "datasets/stripes"})
    assert 'data_dir="datasets/stripes"' in at_root.code
    # An optional predict input left empty is not written: the kernel picks the latest run.
    predict = service.snippet("image-classifier", "predict", {"images": "datasets/stripes"}, base_dir="work")
    assert "checkpoint" not in predict.code and 'images="../datasets/stripes"' in predict.code
    (root / "results" / "image-classifier" / "run-1").mkdir(parents=True)
    chosen = service.snippet(
        "image-classifier",
        "predict",
        {"images": "datasets/stripes", "checkpoint": "results/image-classifier/run-1"},
        notebook="work/exp.ipynb",
    )
    assert 'checkpoint="../results/image-classifier/run-1"' in chosen.code


def test_bad_values_are_reported_per_field(root: Path) -> None:
    service = make_service(root)
    with pytest.raises(InvalidParams) as info:
        service.snippet(
            "image-classifier",
            "train",
            {"data_dir": "../outside", "epochs": 0, "lr": "fast", "grayscale": "yes", "colour": 1},
        )
    fields = info.value.fields
    assert set(fields) == {"data_dir", "epochs", "lr", "grayscale", "colour"}
    assert "'..'" in fields["data_dir"] and "outside the range 1 to 500" in fields["epochs"]
    with pytest.raises(InvalidParams) as info:
        service.snippet("image-classifier", "train", {"data_dir": "/etc"})
    assert "Absolute path" in info.value.fields["data_dir"]
    with pytest.raises(InvalidParams) as info:
        service.snippet("image-classifier", "train", {})
    assert info.value.fields == {
        "data_dir": "required (A folder with one subfolder of images per class, e.g. datasets/shapes)"
    }
    with pytest.raises(InvalidInput, match="has no 'evaluate' action"):
        service.snippet("image-classifier", "evaluate", {})
    with pytest.raises(NotFound):
        service.snippet("no-such-module", "train", {})
    with pytest.raises(InvalidInput, match="not a notebook"):
        service.snippet("simple", "train", {}, notebook="datasets")
    write_module(root / "modules", "broken", spec="train: {inputs: {a: {type: blob}}}\n")
    with pytest.raises(Conflict, match="has errors"):
        service.snippet("broken", "train", {})


def test_inserting_records_inputs_and_outputs_next_to_the_notebook(root: Path) -> None:
    service = make_service(root)
    hostile = '"); import os; os.system("x'
    first = service.snippet(
        "simple", "train", {"steps": 4, "label": hostile}, notebook="work/exp.ipynb", record=True
    )
    assert first.config == "work/exp.deploy.yml"
    call = ast.parse(first.code).body[-1]
    assert isinstance(call, ast.Assign) and isinstance(call.value, ast.Call)
    assert [ast.literal_eval(k.value) for k in call.value.keywords] == [4, hostile]

    service.snippet(
        "image-classifier", "predict", {"images": "datasets/stripes"}, notebook="work/exp.ipynb", record=True
    )
    text = (root / "work" / "exp.deploy.yml").read_text()
    assert text.startswith("# Deployment config written by jlab_platform")
    config = yaml.safe_load(text)
    assert config["notebook"] == "exp.ipynb"
    assert config["modules"]["simple"]["train"]["inputs"] == {
        "steps": {"type": "int", "value": 4},
        "label": {"type": "str", "value": hostile},
    }
    assert config["modules"]["simple"]["train"]["outputs"]["total"]["type"] == "float"
    predict = config["modules"]["image-classifier"]["predict"]
    assert predict["inputs"]["images"]["value"] == "../datasets/stripes"
    assert predict["outputs"]["predictions"]["type"] == "json"

    # Inserting again replaces that module's action and keeps the rest.
    service.snippet("simple", "train", {"steps": 7}, notebook="work/exp.ipynb", record=True)
    config = yaml.safe_load((root / "work" / "exp.deploy.yml").read_text())
    assert config["modules"]["simple"]["train"]["inputs"]["steps"]["value"] == 7
    assert "image-classifier" in config["modules"]

    (root / "work" / "exp.deploy.yml").write_text("modules: [unclosed\n")
    with pytest.raises(Conflict, match="not valid YAML"):
        service.snippet("simple", "train", {}, notebook="work/exp.ipynb", record=True)
    assert (root / "work" / "exp.deploy.yml").read_text() == "modules: [unclosed\n"  # never clobbered
    (root / "work" / "exp.deploy.yml").write_text("modules: &m {simple: *m}\n")
    with pytest.raises(Conflict, match=r"line 1: anchors and aliases \(&name, \*name\) are not supported"):
        service.snippet("simple", "train", {}, notebook="work/exp.ipynb", record=True)
    with pytest.raises(InvalidInput, match="needs the notebook"):
        service.snippet("simple", "train", {}, record=True)


def test_favorites_are_per_user_and_survive_a_restart(root: Path) -> None:
    service = make_service(root)
    service.set_favorite("ada", "module", "simple", True)
    service.set_favorite("ada", "dataset", "stripes", True)
    service.set_favorite("ada", "module", "simple", True)  # idempotent
    with pytest.raises(NotFound):
        service.set_favorite("ada", "module", "nothing", True)
    with pytest.raises(InvalidInput, match="Unknown kind"):
        service.set_favorite("ada", "notebook", "simple", True)

    again = make_service(root)
    modules = {m.name: m.favorite for m in again.list_modules("ada").modules}
    assert modules["simple"] is True and modules["image-classifier"] is False
    assert {m.name: m.favorite for m in again.list_modules("bob").modules}["simple"] is False
    assert again.get_dataset("stripes", "ada").favorite is True
    again.set_favorite("ada", "module", "simple", False)
    assert again.get_module("simple", "ada").favorite is False


def test_the_owner_takes_over_favorites_of_made_up_login_names(root: Path) -> None:
    service = make_service(root)
    for login in ("0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"):
        service.set_favorite(login, "module", "simple", True)
    service.set_favorite("fedcba9876543210fedcba9876543210", "dataset", "stripes", True)
    service.set_favorite("ada", "module", "image-classifier", True)

    again = make_service(root)
    owner = again.owner
    assert {m.name for m in again.list_modules(owner).modules if m.favorite} == {"simple"}
    assert again.get_dataset("stripes", owner).favorite is True
    assert again.get_module("image-classifier", "ada").favorite is True  # a real name keeps its own
    assert not again.favorites.names("0123456789abcdef0123456789abcdef", "module")
    assert again.favorites.claim_per_login(owner) == 0


def test_module_detail_has_readme_spec_and_where_results_go(root: Path) -> None:
    detail = make_service(root).get_module("image-classifier", "ada")
    assert detail.readme.startswith("# Image classifier (PyTorch)")
    assert detail.results == "results/image-classifier"
    assert detail.requirements == ["torch>=2.1", "numpy>=1.24", "pillow>=10"]
    assert detail.spec is not None
    inputs = {field.name: field.model_dump(by_alias=True) for field in detail.spec.actions["train"].inputs}
    assert inputs["base_lr"] == {
        "name": "base_lr",
        "type": "float",
        "item_type": "float",
        "list": False,
        "label": "Base lr",
        "help": "Base learning rate of SGD",
        "default": 0.05,
        "has_default": True,
        "required": False,
        "range": [0.0000001, 10.0],
        "choices": None,
        "group": "Training parameters",
    }


def test_a_link_in_place_of_the_config_cannot_lead_outside(root: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yml"
    secret.write_text("modules: {}\npassword: hunter2\n")
    (root / "work" / "exp.deploy.yml").symlink_to(secret)
    with pytest.raises(InvalidInput, match="outside the workspace"):
        make_service(root).snippet("simple", "train", {}, notebook="work/exp.ipynb", record=True)
    assert secret.read_text() == "modules: {}\npassword: hunter2\n"
