import os
import time
from pathlib import Path

from jlab_platform.model_library.blobs import BlobStore


def _aged(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_sweep_deletes_only_unrecorded_settled_files(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    (tmp_path / "a").write_bytes(b"weights a")
    (tmp_path / "b").write_bytes(b"weights b")
    (tmp_path / "c").write_bytes(b"classes")
    kept, _ = store.put(tmp_path / "a")
    dropped, _ = store.put(tmp_path / "b")
    pending, _ = store.put(tmp_path / "c")
    for sha in (kept, dropped, pending):
        _aged(store.path(sha), 3600)
    store.put(tmp_path / "c")  # stored again by a publish in flight: no version records it yet

    assert store.sweep([kept]) == 1
    assert store.path(kept).is_file() and store.path(pending).is_file()
    assert not store.path(dropped).exists()
    # Once settled, a file no version records goes too.
    _aged(store.path(pending), 3600)
    assert store.sweep([kept]) == 1 and not store.path(pending).exists()
    assert store.sweep([]) == 1 and not list((tmp_path / "blobs").glob("??/*"))
