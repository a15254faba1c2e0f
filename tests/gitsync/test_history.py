import pytest

from jlab_platform.errors import Conflict, InvalidInput, InvalidPath, NotFound
from jlab_platform.gitsync.models import GitLog, GitStatus

from .conftest import ServiceFactory, Team, git, notebook


def test_status_lists_staged_unstaged_and_untracked_files(team: Team) -> None:
    (team.workspace / "notes.txt").write_text("staged\n")
    git(team.workspace, "add", "notes.txt")
    (team.workspace / "notes.txt").write_text("staged, then edited again\n")
    (team.workspace / "analysis.ipynb").write_text(notebook("print('edited')"))
    (team.workspace / "new").mkdir()
    (team.workspace / "new" / "idea.py").write_text("pass\n")
    (team.workspace / "results").mkdir()
    (team.workspace / "results" / "model.pt").write_bytes(b"weights")

    status = team.mine.status()

    files = {f.path: f for f in status.files}
    assert set(files) == {"notes.txt", "analysis.ipynb", "new/idea.py"}  # results/ is ignored
    assert (files["notes.txt"].staged, files["notes.txt"].unstaged) == ("M", "M")
    assert files["analysis.ipynb"].staged is None and files["analysis.ipynb"].unstaged == "M"
    assert files["new/idea.py"].untracked is True
    assert status.changed == 3 and status.remote == "origin"
    assert status.remote_url == str(team.remote)


def test_status_outside_a_repository(make_service: ServiceFactory) -> None:
    service = make_service()
    assert service.status() == GitStatus(repository=False, max_file_mb=50.0)
    assert service.log() == GitLog(repository=False, head=None, commits=[])
    assert service.current_commit() is None
    with pytest.raises(Conflict, match="not a git repository"):
        service.sync("x")


def test_history_shows_message_author_time_and_files(team: Team) -> None:
    team.theirs_push({"notes.txt": "line one\nline two\n", "extra.py": "x = 1\n"}, "Colleague's edit 编辑")
    team.mine.sync("")

    history = team.mine.log(limit=5)

    newest = history.commits[0]
    assert history.head == newest.id and newest.short_id == newest.id[:8]
    assert newest.message == "Colleague's edit 编辑"
    assert (newest.author, newest.email) == ("Colleague", "colleague@example.com")
    assert newest.time[:2] == "20" and "T" in newest.time
    assert {(f.status, f.path) for f in newest.files} == {("M", "notes.txt"), ("A", "extra.py")}
    assert [c.message for c in history.commits] == ["Colleague's edit 编辑", "Initial commit"]
    assert [c.message for c in team.mine.log(limit=5, path="extra.py").commits] == ["Colleague's edit 编辑"]


def test_diff_of_a_file_at_a_commit_and_in_the_workspace(team: Team) -> None:
    (team.workspace / "notes.txt").write_text("line one\nline two\n")
    commit = team.mine.sync("Second line").commit

    at_commit = team.mine.diff("notes.txt", commit)
    assert "+line two" in at_commit.diff and at_commit.commit == commit and not at_commit.binary

    (team.workspace / "notes.txt").write_text("line one\nline 2\n")
    (team.workspace / "fresh.py").write_text("print('new')\n")
    assert "-line two\n+line 2" in team.mine.diff("notes.txt").diff
    assert "+print('new')" in team.mine.diff("fresh.py").diff
    with pytest.raises(NotFound):
        team.mine.diff("notes.txt", "0" * 40)
    with pytest.raises(InvalidInput):
        team.mine.diff("notes.txt", "--output=/tmp/x")
    with pytest.raises(InvalidPath):
        team.mine.diff("../outside.txt")


def test_rollback_of_the_workspace_is_a_new_commit(team: Team) -> None:
    first = team.mine.log(1).head
    (team.workspace / "notes.txt").write_text("line one\nbroken\n")
    (team.workspace / "bad.py").write_text("raise SystemExit\n")
    team.mine.sync("Break things")

    result = team.mine.rollback(first)

    assert result.state == "rolled_back" and result.target == first
    assert (team.workspace / "notes.txt").read_text() == "line one\n"
    assert not (team.workspace / "bad.py").exists()
    messages = [c.message for c in team.mine.log(5).commits]
    assert messages == [
        f"Roll back the workspace to {first[:8]} (Initial commit)",
        "Break things",
        "Initial commit",
    ]
    assert team.mine.status().ahead == 1  # committed here; the next sync pushes it


def test_rollback_of_one_file_keeps_the_others(team: Team) -> None:
    first = team.mine.log(1).head
    (team.workspace / "notes.txt").write_text("line one\nchanged\n")
    (team.workspace / "keep.py").write_text("keep = 1\n")
    team.mine.sync("Change notes, add keep.py")

    team.mine.rollback(first, path="notes.txt", message="Notes as they were")

    assert (team.workspace / "notes.txt").read_text() == "line one\n"
    assert (team.workspace / "keep.py").exists()
    assert team.mine.log(1).commits[0].message == "Notes as they were"


def test_rollback_never_overwrites_uncommitted_work(team: Team) -> None:
    first = team.mine.log(1).head
    (team.workspace / "notes.txt").write_text("line one\ncommitted\n")
    team.mine.sync("Commit")
    (team.workspace / "notes.txt").write_text("unsaved work\n")

    with pytest.raises(Conflict, match=r"Uncommitted changes would be overwritten: notes\.txt"):
        team.mine.rollback(first)
    with pytest.raises(Conflict, match="Uncommitted"):
        team.mine.rollback(first, path="notes.txt")
    assert (team.workspace / "notes.txt").read_text() == "unsaved work\n"


def test_rollback_explains_what_cannot_be_done(team: Team) -> None:
    head = team.mine.log(1).head
    with pytest.raises(Conflict, match="Nothing to roll back"):
        team.mine.rollback(head)
    with pytest.raises(NotFound, match="No commit"):
        team.mine.rollback("deadbeef")
    with pytest.raises(NotFound, match="is not in commit"):
        team.mine.rollback(head, path="never-there.txt")
    with pytest.raises(InvalidInput):
        team.mine.rollback("-f")
