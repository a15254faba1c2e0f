"""A model library training's data: several data paths trained on as one folder of links."""

from pathlib import Path

from jlab_platform.kernel.model_training import training_data
from tests.modules.factory import write_stripes


def test_one_path_is_used_as_it_is(tmp_path: Path) -> None:
    data = write_stripes(tmp_path / "a", per_class=1, size=8)
    assert training_data([data], tmp_path / "merged") == data
    assert not (tmp_path / "merged").exists()


def test_several_paths_become_one_folder_of_links(tmp_path: Path) -> None:
    first = write_stripes(tmp_path / "a", per_class=2, size=8)
    second = write_stripes(tmp_path / "b", per_class=1, size=8, seed=1)  # the same file names
    (second / ".hidden").mkdir()
    (second / ".hidden" / "x.png").write_bytes(b"not seen")
    merged = training_data([first, second], tmp_path / "merged")
    found = sorted(p.relative_to(merged).as_posix() for p in merged.rglob("*") if p.is_file())
    assert found == [
        "horizontal/1-horizontal_00.png",
        "horizontal/1-horizontal_01.png",
        "horizontal/2-horizontal_00.png",
        "vertical/1-vertical_00.png",
        "vertical/1-vertical_01.png",
        "vertical/2-vertical_00.png",
    ]
    link = merged / "vertical" / "2-vertical_00.png"
    assert link.is_symlink() and link.read_bytes() == (second / "vertical" / "vertical_00.png").read_bytes()
    assert training_data([first, second], tmp_path / "merged") == merged  # a second call links nothing twice
