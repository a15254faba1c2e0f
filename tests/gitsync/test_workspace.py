from pathlib import Path

import pytest

from jlab_platform.errors import Conflict, InvalidInput

from .conftest import ServiceFactory, git


def test_init_writes_a_sensible_gitignore(make_service: ServiceFactory) -> None:
    service = make_service()
    (service.root / ".gitignore").write_text("*.log")

    status = service.init()

    assert status.repository is True and status.branch == "main" and status.head is None
    lines = (service.root / ".gitignore").read_text().splitlines()
    assert lines[0] == "*.log"  # the user's entries stay first
    for entry in (".venv/", ".ipynb_checkpoints/", "checkpoints/", "/.jlab_platform/", "/results/"):
        assert entry in lines
    with pytest.raises(Conflict, match="already a git repository"):
        service.init()


def test_clone_into_a_workspace_keeps_the_files_already_there(
    make_service: ServiceFactory, remote: Path
) -> None:
    service = make_service()
    (service.root / "scratch.py").write_text("mine\n")

    status = service.clone(str(remote))

    assert status.branch == "main" and status.upstream == "origin/main"
    assert (service.root / "notes.txt").read_text() == "line one\n"
    assert [f.path for f in status.files] == ["scratch.py"]
    assert (service.root / ".gitignore").exists() is False  # the project's files are untouched


def test_clone_refuses_to_overwrite_files_with_the_same_names(
    make_service: ServiceFactory, remote: Path
) -> None:
    service = make_service()
    (service.root / "notes.txt").write_text("my own notes\n")

    with pytest.raises(Conflict, match=r"same names as files in the repository: notes\.txt"):
        service.clone(str(remote))

    assert (service.root / "notes.txt").read_text() == "my own notes\n"
    assert service.status().repository is False


def test_clone_of_an_empty_remote_then_sync_pushes_the_workspace(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    bare = tmp_path / "empty.git"
    git(tmp_path, "init", "--quiet", "--bare", str(bare))
    service = make_service()
    (service.root / "start.py").write_text("start\n")

    service.clone(f"file://{bare}")
    result = service.sync("Start the project")

    assert result.pushed is True
    # Pushed to the branch the remote's HEAD names (master for a plain bare repository).
    assert git(bare, "log", "--format=%s", "HEAD").split("\n")[0] == "Start the project"


@pytest.mark.parametrize("url", ["", "   ", "-upload-pack=touch /tmp/x", "ext::sh -c id", "not a url", 42])
def test_clone_refuses_what_is_not_a_repository_url(make_service: ServiceFactory, url: object) -> None:
    with pytest.raises(InvalidInput):
        make_service().clone(url)  # type: ignore[arg-type]
