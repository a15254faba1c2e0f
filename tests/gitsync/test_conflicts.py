import json

import pytest

from jlab_platform.errors import Conflict, InvalidInput
from jlab_platform.gitsync.models import SyncResult

from .conftest import Team, TeamFactory, notebook

MINE_NOTES = "line one\nmy change\n"
THEIR_NOTES = "line one\ntheir change\n"


def conflict_on(team: Team, name: str, mine: str, theirs: str) -> SyncResult:
    team.theirs_push({name: theirs}, f"Colleague edits {name}")
    (team.workspace / name).write_text(mine)
    return team.mine.sync(f"My edit of {name}")


def test_a_conflict_stops_the_sync_with_the_files_listed_and_nothing_lost(team: Team) -> None:
    (team.workspace / "other.py").write_text("kept = True\n")
    result = conflict_on(team, "notes.txt", MINE_NOTES, THEIR_NOTES)

    assert result.state == "conflicts" and result.conflicts == ["notes.txt"]
    assert result.committed is True and result.pushed is False
    status = team.mine.status()
    assert status.operation == "rebase" and status.conflicts == ["notes.txt"]
    assert status.branch == "main"
    text = (team.workspace / "notes.txt").read_text()
    assert "my change" in text and "their change" in text
    assert (team.workspace / "other.py").read_text() == "kept = True\n"
    assert team.remote_log()[0] == "Colleague edits notes.txt"  # nothing was pushed

    with pytest.raises(Conflict, match=r"waiting for conflicts .*notes\.txt"):
        team.mine.sync("again")


@pytest.mark.parametrize(
    ("choice", "expected"), [("mine", MINE_NOTES), ("theirs", THEIR_NOTES)], ids=["keep-mine", "take-theirs"]
)
def test_each_resolution_of_a_file_finishes_the_sync(team: Team, choice: str, expected: str) -> None:
    conflict_on(team, "notes.txt", MINE_NOTES, THEIR_NOTES)

    result = team.mine.resolve("notes.txt", choice)

    assert result.state == "synced" and result.pushed is True
    assert (team.workspace / "notes.txt").read_text() == expected
    assert team.remote_file("notes.txt") == expected
    status = team.mine.status()
    assert status.operation is None and status.changed == 0 and status.ahead == 0


@pytest.mark.parametrize(
    ("choice", "expected"), [("mine", MINE_NOTES), ("theirs", THEIR_NOTES)], ids=["keep-mine", "take-theirs"]
)
def test_each_resolution_when_syncs_merge(make_team: TeamFactory, choice: str, expected: str) -> None:
    team = make_team(pull_rebase=False)
    result = conflict_on(team, "notes.txt", MINE_NOTES, THEIR_NOTES)
    assert result.operation == "merge" and result.conflicts == ["notes.txt"]

    assert team.mine.resolve("notes.txt", choice).state == "synced"

    assert (team.workspace / "notes.txt").read_text() == expected
    assert team.remote_file("notes.txt") == expected
    assert team.mine.status().operation is None


def test_abort_goes_back_to_my_version_committed_but_not_pushed(team: Team) -> None:
    conflict_on(team, "notes.txt", MINE_NOTES, THEIR_NOTES)

    result = team.mine.abort()

    assert result.state == "aborted"
    assert (team.workspace / "notes.txt").read_text() == MINE_NOTES
    status = team.mine.status()
    assert status.operation is None and status.changed == 0 and status.ahead == 1
    assert team.mine.log(1).commits[0].message == "My edit of notes.txt"
    assert team.remote_file("notes.txt") == THEIR_NOTES


@pytest.mark.parametrize("choice", ["mine", "theirs", "abort"])
def test_a_notebook_conflict_resolves_to_a_valid_notebook(team: Team, choice: str) -> None:
    mine, theirs = notebook("print('mine')"), notebook("print('theirs')")
    result = conflict_on(team, "analysis.ipynb", mine, theirs)
    assert result.conflicts == ["analysis.ipynb"]

    if choice == "abort":
        team.mine.abort()
    else:
        assert team.mine.resolve("analysis.ipynb", choice).state == "synced"

    text = (team.workspace / "analysis.ipynb").read_text()
    assert text == (theirs if choice == "theirs" else mine)
    assert json.loads(text)["cells"][0]["source"] in ("print('mine')", "print('theirs')")


def test_conflicts_in_two_files_are_resolved_one_by_one(team: Team) -> None:
    team.theirs_push({"notes.txt": THEIR_NOTES, "analysis.ipynb": notebook("theirs")}, "Colleague")
    (team.workspace / "notes.txt").write_text(MINE_NOTES)
    (team.workspace / "analysis.ipynb").write_text(notebook("mine"))
    assert sorted(team.mine.sync("Mine").conflicts) == ["analysis.ipynb", "notes.txt"]

    first = team.mine.resolve("notes.txt", "mine")
    assert first.state == "conflicts" and first.conflicts == ["analysis.ipynb"]
    assert team.mine.resolve("analysis.ipynb", "theirs").state == "synced"
    assert team.remote_file("notes.txt") == MINE_NOTES


def test_resolve_explains_bad_requests(team: Team) -> None:
    with pytest.raises(Conflict, match="No sync is waiting"):
        team.mine.resolve("notes.txt", "mine")
    with pytest.raises(Conflict, match="No sync is waiting"):
        team.mine.abort()
    conflict_on(team, "notes.txt", MINE_NOTES, THEIR_NOTES)
    with pytest.raises(InvalidInput, match="Unknown choice"):
        team.mine.resolve("notes.txt", "both")
    with pytest.raises(InvalidInput, match="not in conflict") as refused:
        team.mine.resolve("analysis.ipynb", "mine")
    assert refused.value.detail == "Files in conflict: notes.txt."
