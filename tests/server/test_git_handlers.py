from pathlib import Path
from typing import Any

import pytest

from tests.gitsync.conftest import git, private_http_remote

from .test_jobs_handlers import call, expect_error


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    return {**jp_server_config, "JlabPlatform": {"git_max_file_mb": 0.001, "git_timeout_seconds": 20}}


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    return bare


async def test_init_sync_history_diff_and_rollback(jp_fetch: Any, jp_root_dir: Path) -> None:
    assert (await call(jp_fetch, "git", "status"))["repository"] is False

    created = await call(jp_fetch, "git", "init", method="POST", body={})
    assert created["repository"] is True and created["branch"] == "main"
    assert "/results/" in (jp_root_dir / ".gitignore").read_text()

    (jp_root_dir / "train.py").write_text("lr = 0.1\n")
    status = await call(jp_fetch, "git", "status")
    assert {f["path"] for f in status["files"]} == {".gitignore", "train.py"}
    assert status["max_file_mb"] == 0.001

    first = await call(jp_fetch, "git", "sync", method="POST", body={"message": "Start: lr 0.1"})
    assert first["state"] == "synced" and first["committed"] and first["pushed"] is False

    (jp_root_dir / "train.py").write_text("lr = 0.01\n")
    second = await call(jp_fetch, "git", "sync", method="POST", body={"message": "Smaller lr"})

    history = await call(jp_fetch, "git", "log", limit="10")
    assert [c["message"] for c in history["commits"]] == ["Smaller lr", "Start: lr 0.1"]
    assert history["commits"][0]["files"] == [{"status": "M", "path": "train.py", "from": None}]
    diff = await call(jp_fetch, "git", "diff", path="train.py", commit=second["commit"])
    assert "-lr = 0.1\n+lr = 0.01" in diff["diff"]

    rolled = await call(jp_fetch, "git", "rollback", method="POST", body={"commit": first["commit"]})
    assert rolled["state"] == "rolled_back" and rolled["target"] == first["commit"]
    assert (jp_root_dir / "train.py").read_text() == "lr = 0.1\n"
    newest = (await call(jp_fetch, "git", "log", limit="1"))["commits"][0]
    assert newest["message"].startswith(f"Roll back the workspace to {first['commit'][:8]}")


async def test_clone_then_a_conflict_is_resolved_through_the_api(
    jp_fetch: Any, jp_root_dir: Path, remote: Path, tmp_path: Path
) -> None:
    theirs = tmp_path / "theirs"
    git(tmp_path, "clone", "--quiet", str(remote), str(theirs))
    (theirs / "notes.md").write_text("base\n")
    git(theirs, "add", "notes.md")
    git(theirs, "commit", "--quiet", "-m", "base")
    git(theirs, "push", "--quiet", "origin", "HEAD:main")

    cloned = await call(jp_fetch, "git", "clone", method="POST", body={"url": str(remote)})
    assert cloned["upstream"] == "origin/main" and (jp_root_dir / "notes.md").exists()

    (theirs / "notes.md").write_text("theirs\n")
    git(theirs, "commit", "--quiet", "-am", "theirs")
    git(theirs, "push", "--quiet")
    (jp_root_dir / "notes.md").write_text("mine\n")
    stopped = await call(jp_fetch, "git", "sync", method="POST", body={"message": "mine"})
    assert stopped["state"] == "conflicts" and stopped["conflicts"] == ["notes.md"]
    assert (await call(jp_fetch, "git", "status"))["operation"] == "rebase"

    await expect_error(jp_fetch, 409, "git", "sync", method="POST", body={"message": "again"})
    await expect_error(jp_fetch, 400, "git", "resolve", method="POST", body={"path": "notes.md"})
    await expect_error(
        jp_fetch, 400, "git", "resolve", method="POST", body={"path": "notes.md", "choice": "both"}
    )
    done = await call(jp_fetch, "git", "resolve", method="POST", body={"path": "notes.md", "choice": "mine"})
    assert done["state"] == "synced" and done["pushed"] is True
    assert git(remote, "show", "main:notes.md") == "mine\n"
    await expect_error(jp_fetch, 409, "git", "abort", method="POST", body={})


async def test_abort_restores_my_version(
    jp_fetch: Any, jp_root_dir: Path, remote: Path, tmp_path: Path
) -> None:
    await call(jp_fetch, "git", "clone", method="POST", body={"url": str(remote)})
    (jp_root_dir / "a.txt").write_text("base\n")
    await call(jp_fetch, "git", "sync", method="POST", body={"message": "base"})
    theirs = tmp_path / "theirs"
    git(tmp_path, "clone", "--quiet", str(remote), str(theirs))
    (theirs / "a.txt").write_text("theirs\n")
    git(theirs, "commit", "--quiet", "-am", "theirs")
    git(theirs, "push", "--quiet")
    (jp_root_dir / "a.txt").write_text("mine\n")
    await call(jp_fetch, "git", "sync", method="POST", body={"message": "mine"})

    aborted = await call(jp_fetch, "git", "abort", method="POST", body={})

    assert aborted["state"] == "aborted" and (jp_root_dir / "a.txt").read_text() == "mine\n"
    assert (await call(jp_fetch, "git", "status"))["ahead"] == 1


async def test_bad_input_gets_4xx_with_what_to_fix(jp_fetch: Any, jp_root_dir: Path) -> None:
    await expect_error(jp_fetch, 409, "git", "sync", method="POST", body={"message": "x"})
    await expect_error(jp_fetch, 400, "git", "clone", method="POST", body={})
    await expect_error(jp_fetch, 400, "git", "clone", method="POST", body={"url": "ext::sh -c id"})
    await call(jp_fetch, "git", "init", method="POST", body={})
    await expect_error(jp_fetch, 409, "git", "init", method="POST", body={})
    await expect_error(jp_fetch, 400, "git", "sync", method="POST", body={"message": 3})
    await expect_error(jp_fetch, 400, "git", "sync", method="POST", body=["not", "an", "object"])
    (jp_root_dir / "weights.bin").write_bytes(b"\0" * 4000)
    large = await expect_error(jp_fetch, 409, "git", "sync", method="POST", body={"message": "weights"})
    assert "weights.bin (4.0 KB)" in large["error"] and "git_max_file_mb" in large["detail"]
    (jp_root_dir / "weights.bin").unlink()
    message = await expect_error(jp_fetch, 400, "git", "sync", method="POST", body={"message": ""})
    assert "commit message" in message["error"]
    await call(jp_fetch, "git", "sync", method="POST", body={"message": "first"})

    await expect_error(jp_fetch, 400, "git", "diff")
    await expect_error(jp_fetch, 400, "git", "diff", path="../../etc/passwd")
    await expect_error(jp_fetch, 400, "git", "diff", path="/etc/passwd")
    await expect_error(jp_fetch, 400, "git", "diff", path=".gitignore", commit="--output=x")
    await expect_error(jp_fetch, 404, "git", "diff", path=".gitignore", commit="0" * 40)
    await expect_error(jp_fetch, 400, "git", "log", limit="0")
    await expect_error(jp_fetch, 400, "git", "log", path="../outside")
    await expect_error(jp_fetch, 400, "git", "rollback", method="POST", body={})
    await expect_error(jp_fetch, 404, "git", "rollback", method="POST", body={"commit": "deadbeef"})
    await expect_error(
        jp_fetch, 400, "git", "rollback", method="POST", body={"commit": "HEAD", "path": "../../x"}
    )
    await expect_error(jp_fetch, 409, "git", "rollback", method="POST", body={"commit": "HEAD"})
    await expect_error(jp_fetch, 409, "git", "resolve", method="POST", body={"path": "a", "choice": "mine"})


async def test_a_remote_that_demands_credentials_answers_401(jp_fetch: Any, jp_root_dir: Path) -> None:
    with private_http_remote() as url:
        refused = await expect_error(jp_fetch, 401, "git", "clone", method="POST", body={"url": url})
    assert "refused the credentials" in refused["error"] and "credential helper" in refused["detail"]
    assert not (jp_root_dir / ".git").exists()
