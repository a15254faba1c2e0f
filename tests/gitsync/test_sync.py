import getpass
import threading
from pathlib import Path

import pytest

from jlab_platform.errors import Conflict, InvalidInput
from jlab_platform.gitsync import GitService
from jlab_platform.gitsync.models import SyncResult

from .conftest import ServiceFactory, Team, TeamFactory, git


def test_clean_sync_commits_and_pushes_everything(team: Team) -> None:
    (team.workspace / "train.py").write_text("print('train')\n")
    (team.workspace / "notes.txt").write_text("line one\nline two\n")

    result = team.mine.sync("Add the training script")

    assert result.state == "synced" and result.committed and result.pushed
    assert team.remote_log() == ["Add the training script", "Initial commit"]
    assert team.remote_file("train.py") == "print('train')\n"
    status = team.mine.status()
    assert status.changed == 0 and status.ahead == 0 and status.behind == 0
    assert status.branch == "main" and status.upstream == "origin/main"
    assert result.commit == status.head == team.mine.current_commit()


def test_sync_with_the_remote_ahead_rebases_onto_it(team: Team) -> None:
    team.theirs_push({"data.csv": "a,b\n1,2\n"}, "Colleague adds data")
    (team.workspace / "model.py").write_text("MODEL = 1\n")

    result = team.mine.sync("Add the model")

    assert result.state == "synced" and result.pulled and result.pushed
    assert team.remote_log() == ["Add the model", "Colleague adds data", "Initial commit"]
    assert (team.workspace / "data.csv").read_text() == "a,b\n1,2\n"
    # Rebased: a straight line, no merge commit.
    assert all(len(c.parents) == 1 for c in team.mine.log(10).commits[:-1])


def test_merge_instead_of_rebase_when_configured(make_team: TeamFactory) -> None:
    team = make_team(pull_rebase=False)
    team.theirs_push({"b.txt": "b\n"}, "theirs")
    (team.workspace / "a.txt").write_text("a\n")

    assert team.mine.sync("mine").state == "synced"

    newest = team.mine.log(1).commits[0]
    assert len(newest.parents) == 2
    assert (team.workspace / "b.txt").exists()
    assert team.remote_file("a.txt") == "a\n"


def test_a_detached_head_is_refused_with_what_to_do(team: Team) -> None:
    git(team.workspace, "checkout", "--quiet", "--detach")
    (team.workspace / "a.txt").write_text("a\n")
    with pytest.raises(Conflict, match="detached HEAD") as refused:
        team.mine.sync("x")
    assert "git switch" in refused.value.detail


def test_nothing_changed_still_brings_the_remote_in(team: Team) -> None:
    team.theirs_push({"notes.txt": "line one\nfrom colleague\n"}, "Colleague edits notes")
    result = team.mine.sync("")
    assert result.state == "synced" and not result.committed
    assert (team.workspace / "notes.txt").read_text() == "line one\nfrom colleague\n"


def test_a_message_is_needed_when_there_is_something_to_commit(team: Team) -> None:
    (team.workspace / "x.py").write_text("x = 1\n")
    with pytest.raises(InvalidInput, match="commit message is needed"):
        team.mine.sync("   ")
    assert team.mine.status().files[0].untracked is True


def test_large_files_are_refused_by_name_and_nothing_is_committed(make_service: ServiceFactory) -> None:
    service = make_service(max_file_mb=0.001)  # 1 KB
    service.init()
    (service.root / "small.txt").write_text("fits\n")
    (service.root / "weights.bin").write_bytes(b"\0" * 5000)
    (service.root / "results").mkdir()
    (service.root / "results" / "ignored.bin").write_bytes(b"\0" * 5000)
    with pytest.raises(Conflict) as refused:
        service.sync("Add weights")
    assert "weights.bin (5.0 KB)" in refused.value.message and "1.0 KB limit" in refused.value.message
    assert "small.txt" not in refused.value.message
    assert "git_max_file_mb" in refused.value.detail
    assert service.status().head is None  # nothing was committed

    (service.root / "weights.bin").unlink()
    assert service.sync("Without the weights").committed is True


def test_a_fresh_machine_without_git_identity_still_commits(make_service: ServiceFactory) -> None:
    service = make_service()
    service.init()
    (service.root / "a.txt").write_text("a\n")
    result = service.sync("First")
    assert (result.state, result.committed, result.pushed, result.remote) == ("synced", True, False, None)
    commit = service.log(1).commits[0]
    assert commit.author == getpass.getuser() and commit.email == "jlab_platform@localhost"


def test_the_configured_identity_wins(make_service: ServiceFactory) -> None:
    service = make_service()
    service.init()
    git(service.root, "config", "user.name", "Ada Lovelace")
    git(service.root, "config", "user.email", "ada@example.com")
    (service.root / "a.txt").write_text("a\n")
    service.sync("First")
    commit = service.log(1).commits[0]
    assert (commit.author, commit.email) == ("Ada Lovelace", "ada@example.com")


def test_first_sync_to_an_empty_remote_sets_the_upstream(
    tmp_path: Path, make_service: ServiceFactory
) -> None:
    bare = tmp_path / "empty.git"
    git(tmp_path, "init", "--quiet", "--bare", str(bare))
    service = make_service()
    service.init()
    git(service.root, "remote", "add", "origin", str(bare))
    (service.root / "a.txt").write_text("a\n")

    result = service.sync("First")

    assert result.pushed and result.remote == "origin"
    assert service.status().upstream == "origin/main"
    assert git(bare, "log", "--format=%s", "main").split() == ["First"]


def test_concurrent_syncs_of_one_repository_run_one_after_the_other(
    team: Team, make_service: ServiceFactory
) -> None:
    other_tab = make_service(team.workspace)
    results: list[SyncResult] = []
    errors: list[BaseException] = []

    def sync(service: GitService, name: str) -> None:
        try:
            (team.workspace / f"{name}.py").write_text(f"# {name}\n")
            results.append(service.sync(f"From {name}"))
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=sync, args=(team.mine, "tab1")),
        threading.Thread(target=sync, args=(other_tab, "tab2")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == [] and [r.state for r in results] == ["synced", "synced"]
    assert team.remote_file("tab1.py") and team.remote_file("tab2.py")
    assert team.mine.status().changed == 0


def _sync_into_empty_remote(service: GitService, bare: Path, branch: str, tmp_path: Path) -> None:
    """First sync pushes and sets the upstream; a second one pulls and pushes as usual; a
    colleague's clone then checks the work out (the remote's HEAD names the pushed branch)."""
    (service.root / "train.py").write_text("print('train')\n")
    (service.root / "data").mkdir()
    (service.root / "data" / "labels.csv").write_text("a,b\n")

    first = service.sync("Start the project")

    assert (first.state, first.committed, first.pushed, first.remote) == ("synced", True, True, "origin")
    assert git(bare, "log", "--format=%s", branch).splitlines() == ["Start the project"]
    status = service.status()
    assert status.upstream == f"origin/{branch}" and status.ahead == status.behind == 0

    (service.root / "train.py").write_text("print('train more')\n")
    second = service.sync("Train more")

    assert (second.state, second.committed, second.pulled, second.pushed) == ("synced", True, True, True)
    assert git(bare, "log", "--format=%s", branch).splitlines() == ["Train more", "Start the project"]
    colleague = tmp_path / "colleague"
    git(tmp_path, "clone", "--quiet", str(bare), str(colleague))
    assert (colleague / "data" / "labels.csv").read_text() == "a,b\n"


def test_first_sync_into_an_empty_remote_cloned_by_the_service(
    tmp_path: Path, make_service: ServiceFactory
) -> None:
    bare = tmp_path / "empty.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=trunk", str(bare))
    service = make_service()
    service.clone(str(bare))
    # The branch is the remote's default one (not the platform's "main"), not pushed yet.
    status = service.status()
    assert (status.branch, status.upstream, status.remote) == ("trunk", None, "origin")

    _sync_into_empty_remote(service, bare, "trunk", tmp_path)


def test_first_sync_into_an_empty_remote_cloned_with_plain_git(
    tmp_path: Path, make_service: ServiceFactory
) -> None:
    bare = tmp_path / "empty.git"
    git(tmp_path, "init", "--quiet", "--bare", str(bare))
    root = tmp_path / "workspace"
    git(tmp_path, "clone", "--quiet", str(bare), str(root))  # tracks origin/master, not there yet
    service = make_service(root)

    _sync_into_empty_remote(service, bare, "master", tmp_path)


def test_an_upstream_a_colleague_created_since_the_clone_is_pulled_first(
    tmp_path: Path, make_service: ServiceFactory
) -> None:
    bare = tmp_path / "empty.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    service = make_service()
    service.clone(str(bare))
    colleague = tmp_path / "colleague"
    git(tmp_path, "clone", "--quiet", str(bare), str(colleague))
    (colleague / "README.md").write_text("# Project\n")
    git(colleague, "add", "--all")
    git(colleague, "commit", "--quiet", "-m", "Colleague starts")
    git(colleague, "push", "--quiet", "origin", "HEAD:main")
    (service.root / "a.txt").write_text("a\n")

    result = service.sync("Mine")

    assert (result.state, result.pulled, result.pushed) == ("synced", True, True)
    assert git(bare, "log", "--format=%s", "main").splitlines() == ["Mine", "Colleague starts"]
    assert (service.root / "README.md").read_text() == "# Project\n"


def test_a_branch_created_on_the_remote_during_the_first_push_is_pulled_then_pushed(
    tmp_path: Path, make_service: ServiceFactory
) -> None:
    bare = tmp_path / "empty.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    colleague = tmp_path / "colleague"
    git(tmp_path, "clone", "--quiet", str(bare), str(colleague))
    (colleague / "README.md").write_text("# Project\n")
    git(colleague, "add", "--all")
    git(colleague, "commit", "--quiet", "-m", "Colleague starts")
    service = make_service()
    service.clone(str(bare))
    # The colleague's push lands between our fetch and our push (once): ours is rejected.
    hook = service.root / ".git" / "hooks" / "pre-push"
    push = f"git -C '{colleague}' push --quiet origin HEAD:main"
    hook.write_text(f'#!/bin/sh\nrm "$0"\nunset GIT_DIR GIT_INDEX_FILE\n{push}\n')
    hook.chmod(0o755)
    (service.root / "a.txt").write_text("a\n")

    result = service.sync("Mine")

    assert (result.state, result.pulled, result.pushed) == ("synced", True, True)
    assert git(bare, "log", "--format=%s", "main").splitlines() == ["Mine", "Colleague starts"]
    assert service.status().upstream == "origin/main"
