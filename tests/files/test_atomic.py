"""The one atomic-write helper: whole files only, unique temporary names, durable renames."""

import json
import multiprocessing
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from jlab_platform.files import atomic
from jlab_platform.files.atomic import atomic_output, write_atomic, write_json_atomic

PAYLOAD_BYTES = 256 * 1024  # large enough that a torn write would be seen


def _payload(writer: int, round_: int) -> bytes:
    head = f"{writer}:{round_}:".encode()
    return head + bytes([65 + writer % 26]) * (PAYLOAD_BYTES - len(head))


def _whole(data: bytes) -> bool:
    parts = data.split(b":", 2)
    if len(data) != PAYLOAD_BYTES or len(parts) != 3 or not parts[0].isdigit():
        return False
    return set(parts[2]) == {65 + int(parts[0]) % 26}


def _write_rounds(path: str, writer: int, rounds: int) -> None:
    for round_ in range(rounds):
        write_atomic(Path(path), _payload(writer, round_))


def test_bytes_text_and_json_round_trip(tmp_path: Path) -> None:
    write_atomic(tmp_path / "b.bin", b"\x00\x01")
    write_atomic(tmp_path / "t.txt", "猫\n")
    write_json_atomic(tmp_path / "j.json", {"a": [1, 2]}, indent=1)
    write_json_atomic(tmp_path / "d.json", {"when": Path("x")}, default=str)
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == "猫\n"
    assert json.loads((tmp_path / "j.json").read_text()) == {"a": [1, 2]}
    assert json.loads((tmp_path / "d.json").read_text()) == {"when": "x"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.bin", "d.json", "j.json", "t.txt"]


def test_private_files_are_0600_even_over_a_public_one(tmp_path: Path) -> None:
    target = tmp_path / "spec.json"
    target.write_text("{}")
    target.chmod(0o644)
    write_json_atomic(target, {"secret": 1}, private=True)
    assert target.stat().st_mode & 0o777 == 0o600


def test_concurrent_writers_never_show_a_torn_file(tmp_path: Path) -> None:
    """Threads of this process and other processes replace one file while it is read."""
    target = tmp_path / "shared.bin"
    write_atomic(target, _payload(0, 0))
    stop = threading.Event()
    torn: list[int] = []
    reads = 0

    def read() -> None:
        nonlocal reads
        while not stop.is_set():
            if not _whole(target.read_bytes()):
                torn.append(reads)
            reads += 1

    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=_write_rounds, args=(str(target), w, 30)) for w in range(1, 4)]
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write_rounds, args=(str(target), w, 30)) for w in range(4, 6)]
    for worker in [*threads, *processes]:
        worker.start()
    for thread in threads:
        thread.join()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    stop.set()
    reader.join()
    assert reads > 0 and torn == []
    assert _whole(target.read_bytes())
    assert [p.name for p in tmp_path.iterdir()] == ["shared.bin"]  # no temporary file left


def test_a_failed_write_keeps_the_old_file_and_removes_its_partial(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    write_json_atomic(target, {"v": 1})
    with pytest.raises(RuntimeError), atomic_output(target) as partial:
        partial.write_text('{"v": 2, "half')
        raise RuntimeError("disk full")
    assert json.loads(target.read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]


def test_a_process_killed_mid_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    write_json_atomic(target, {"v": 1})
    crash = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from jlab_platform.files.atomic import atomic_output\n"
        "with atomic_output(Path(sys.argv[1])) as partial:\n"
        '    partial.write_text(\'{"v": 2, "ha\')\n'
        "    os._exit(9)\n"  # no cleanup runs: as if the machine stopped here
    )
    result = subprocess.run([sys.executable, "-c", crash, str(target)], check=False)
    assert result.returncode == 9
    assert json.loads(target.read_text()) == {"v": 1}
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "record.json"]
    assert len(leftovers) == 1 and leftovers[0].startswith(".record.json.")  # hidden, beside it


def test_the_file_and_its_folder_are_fsynced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[bool] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.path.isdir(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    write_atomic(tmp_path / "a", b"x")
    assert synced == [False, True]  # the data before the rename, the folder entry after it
    synced.clear()
    write_atomic(tmp_path / "b", b"x", sync=False)
    assert synced == []


def test_temporary_names_are_unique_per_writer() -> None:
    names = {atomic.partial_path(Path("/x/f.json"), atomic.unique_token()) for _ in range(1000)}
    assert len(names) == 1000
    assert all(name.parent == Path("/x") and name.name.startswith(".f.json.") for name in names)
