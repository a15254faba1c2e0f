"""Discovery: search paths, precedence, the change-aware cache, entry points, datasets."""

import os
import time
from pathlib import Path

import pytest

from jlab_platform.errors import NotFound
from jlab_platform.modules.catalog import Catalog
from jlab_platform.modules.models import DatasetSummary, ModuleSummary, Problem
from jlab_platform.paths import PathResolver
from tests.modules.factory import write_module, write_stripes

EntrySummary = ModuleSummary | DatasetSummary


def catalog(root: Path, *extra: str, entry_points: bool = False) -> Catalog:
    return Catalog(PathResolver(root), ["modules", *extra], ["datasets"], entry_points=entry_points)


def by_name(found: list[EntrySummary]) -> dict[str, EntrySummary]:
    return {item.name: item for item in found}


def touch_later(path: Path, text: str) -> None:
    """Rewrite ``path`` with a modification time that surely differs from the cached one."""
    path.write_text(text)
    later = time.time() + 5
    os.utime(path, (later, later))


def test_workspace_shared_and_builtin_modules(tmp_path: Path) -> None:
    root, shared = tmp_path / "root", tmp_path / "shared"
    write_module(root / "modules", "mine")
    write_module(shared, "team-tool")
    (root / "modules" / "notes").mkdir()  # a folder without spec or main.py is not a module
    found = by_name([entry.summary() for entry in catalog(root, str(shared)).modules()])
    assert set(found) == {"mine", "team-tool", "image-classifier", "keras-classifier", "segmentation"}
    assert found["mine"].source == "workspace" and found["mine"].path == "modules/mine"
    assert found["team-tool"].source == "shared" and found["team-tool"].path is None
    assert found["image-classifier"].source == "builtin" and found["image-classifier"].valid is True
    assert found["image-classifier"].actions == ["train", "predict"]
    assert found["mine"].tags == ["demo", "tiny"] and found["mine"].description == "The mine module"


def test_a_workspace_copy_hides_the_builtin_of_the_same_name(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write_module(root / "modules", "fork", spec=None).joinpath("module_spec.yml").write_text(
        "name: image-classifier\ntrain:\n  inputs:\n    steps: {type: int}\n    label: {type: str}\n"
    )
    entry = catalog(root).module("image-classifier")
    assert entry.origin.source == "workspace" and entry.summary().shadowed == ["builtin"]


def test_broken_modules_are_listed_with_their_problems(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write_module(root / "modules", "broken", spec="train:\n  inputs:\n    n: {type: number}\n", readme=None)
    (root / "modules" / "no-spec").mkdir(parents=True)
    (root / "modules" / "no-spec" / "main.py").write_text("def train(): pass\n")
    found = by_name([entry.summary() for entry in catalog(root).modules()])
    broken = found["broken"]
    assert broken.valid is False and broken.actions == []
    assert broken.errors[0].file == "module_spec.yml" and broken.errors[0].line == 3
    assert broken.warnings[0].file == "README.md"
    assert found["no-spec"].errors[0].message.startswith("missing")


def test_cache_is_reused_until_a_file_changes(tmp_path: Path) -> None:
    root = tmp_path / "root"
    folder = write_module(root / "modules", "mod")
    cat = catalog(root)
    first = cat.module("mod")
    assert cat.module("mod") is first  # nothing changed: the parsed entry is reused
    spec = folder / "module_spec.yml"
    touch_later(spec, spec.read_text().replace("The mod module", "Edited"))
    edited = cat.module("mod")
    assert edited is not first and edited.summary().description == "Edited"
    touch_later(folder / "main.py", "def train(:\n")
    assert cat.module("mod").errors[0].file == "main.py"
    (root / "modules" / "mod" / "module_spec.yml").unlink()
    (root / "modules" / "mod" / "main.py").unlink()
    with pytest.raises(NotFound):
        cat.module("mod")


def test_links_out_of_the_workspace_are_not_followed(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    write_module(outside, "secret")
    (root / "modules").mkdir(parents=True)
    (root / "modules" / "secret").symlink_to(outside / "secret")
    assert "secret" not in by_name([entry.summary() for entry in catalog(root).modules()])


def test_entry_point_modules_from_an_installed_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    package = site / "acme_modules"
    write_module(package, "detector")
    (package / "__init__.py").write_text(
        "from pathlib import Path\n\ndef folders():\n    return [Path(__file__).parent / 'detector']\n"
    )
    info = site / "acme_modules-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-modules\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[jlab_platform.modules]\nacme = acme_modules:folders\n")
    monkeypatch.syspath_prepend(str(site))
    root = tmp_path / "root"
    root.mkdir()
    found = by_name([entry.summary() for entry in catalog(root, entry_points=True).modules()])
    assert found["detector"].source == "package:acme-modules" and found["detector"].valid is True


def test_datasets_with_metadata_or_inferred_from_the_layout(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write_stripes(root / "datasets" / "stripes", per_class=3)
    (root / "datasets" / "stripes" / "README.md").write_text("# Stripes\n")
    labeled = root / "datasets" / "flowers"
    labeled.mkdir(parents=True)
    (labeled / "dataset.yml").write_text(
        "title: Flowers\ntask: image-classification\nclasses: [rose, tulip]\nsamples: 1000\ncolour: red\n"
    )
    cat = catalog(root)
    found = by_name([entry.summary() for entry in cat.datasets()])
    stripes = found["stripes"]
    assert stripes.classes == ["horizontal", "vertical"] and stripes.samples == 6
    assert stripes.task == "image-classification" and stripes.path == "datasets/stripes"
    assert stripes.valid is True and stripes.warnings == []
    flowers = found["flowers"]
    assert flowers.title == "Flowers" and flowers.samples == 1000 and flowers.classes == ["rose", "tulip"]
    assert flowers.errors == [
        Problem(
            file="dataset.yml",
            line=5,
            message="colour: unknown key; use one of: "
            "name, title, description, task, task_type, license, source, classes, samples, tags",
        )
    ]
    assert flowers.warnings[0].file == "README.md"
    assert cat.dataset("stripes").detail(favorite=False).readme == "# Stripes\n"

    # A new image in a class folder changes that folder, so the count is taken again.
    (root / "datasets" / "stripes" / "vertical" / "extra.png").write_bytes(
        (root / "datasets" / "stripes" / "vertical" / "vertical_00.png").read_bytes()
    )
    later = time.time() + 5
    os.utime(root / "datasets" / "stripes" / "vertical", (later, later))
    assert cat.dataset("stripes").summary().samples == 7


# Nine levels of nine: 9**9 (387 million) strings once expanded, from under 500 bytes.
BILLION_LAUGHS = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
    f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize(
    ("spec", "line"),
    [(BILLION_LAUGHS, 1), ("name: loop\ntrain: &self\n  inputs: [*self]\n", 2)],
    ids=["billion-laughs", "self-reference"],
)
def test_aliases_in_a_spec_are_that_modules_error_and_fast(tmp_path: Path, spec: str, line: int) -> None:
    root = tmp_path / "root"
    write_module(root / "modules", "bomb", spec=spec)
    write_module(root / "modules", "fine")
    started = time.perf_counter()
    found = by_name([entry.summary() for entry in catalog(root).modules()])
    assert time.perf_counter() - started < 2
    assert found["fine"].valid is True and found["image-classifier"].valid is True
    [error] = found["bomb"].errors
    assert error == Problem(
        file="module_spec.yml",
        line=line,
        message="invalid YAML: anchors and aliases (&name, *name) are not supported",
    )


def test_a_folder_that_fails_to_load_is_its_own_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "root"
    write_module(root / "modules", "fine")
    write_stripes(root / "datasets" / "stripes", per_class=1)
    (root / "datasets" / "deep").mkdir(parents=True)
    (root / "datasets" / "deep" / "dataset.json").write_text("[" * 100_000 + "]" * 100_000)

    def explode(folder: Path, spec: object) -> list[object]:
        raise RuntimeError("boom")

    monkeypatch.setattr("jlab_platform.modules.catalog.check_main", explode)
    found = by_name([entry.summary() for entry in catalog(root).modules()])
    assert found["fine"].valid is False
    assert found["fine"].errors == [
        Problem(file="fine", line=1, message="could not be loaded: RuntimeError('boom')")
    ]
    datasets = by_name([entry.summary() for entry in catalog(root).datasets()])
    assert datasets["stripes"].valid is True
    assert datasets["deep"].errors == [
        Problem(file="dataset.json", line=1, message="invalid JSON: nested too deeply")
    ]
