import subprocess

from tests.helpers.jupyter import ServerProcess


def test_git_sync_magic_commits_the_workspace_from_a_cell(server: ServerProcess) -> None:
    if not (server.root / ".git").exists():
        server.request("POST", "jlab-platform/api/git/init", {})
    (server.root / "experiment.py").write_text("lr = 0.1\n")

    output = server.run_in_new_kernel(
        "%load_ext jlab_platform.kernel\n"
        '%git_sync -m "Experiment with lr 0.1 (从内核)"\n'
        "from jlab_platform.kernel import git\n"
        "print('HEAD', git.current_commit())\n"
        "print('LOG', git.log(1)[0]['message'])\n"
        "print('CHANGED', git.status()['changed'])\n"
    )

    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=server.root, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert f"Synced (committed, no remote to push to); HEAD is {head[:8]}." in output, output
    assert f"HEAD {head}" in output
    assert "LOG Experiment with lr 0.1 (从内核)" in output
    assert "CHANGED 0" in output


def test_git_sync_magic_explains_what_to_fix(server: ServerProcess) -> None:
    if not (server.root / ".git").exists():
        server.request("POST", "jlab-platform/api/git/init", {})
    (server.root / "pending.py").write_text("x = 1\n")

    output = server.run_in_new_kernel(
        '%load_ext jlab_platform.kernel\n%git_sync\n%git_sync -m "unclosed\n%git_sync -m two words\n'
    )

    assert "Sync refused: 400: A commit message is needed" in output, output
    assert "No closing quotation" in output and 'Usage: %git_sync -m "what changed"' in output
    assert "Unexpected words: words (quote the message)" in output
