from pathlib import Path

from jlab_platform.jobs.logs import read_chunk


def test_offsets_page_through_the_log(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    log.write_bytes(b"line 1\nline 2\nline 3\n")
    first = read_chunk(log, 0, 7)
    assert (first.data, first.offset, first.next_offset, first.size) == ("line 1\n", 0, 7, 21)
    rest = read_chunk(log, first.next_offset, 1000)
    assert rest.data == "line 2\nline 3\n" and rest.next_offset == 21
    assert read_chunk(log, 21, 10).data == ""


def test_negative_offset_reads_the_tail(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    log.write_bytes(b"0123456789")
    tail = read_chunk(log, -4, 100)
    assert (tail.data, tail.offset, tail.next_offset) == ("6789", 6, 10)
    assert read_chunk(log, -100, 100).data == "0123456789"


def test_multibyte_characters_are_never_split(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    text = "训练损失 loss=0.3 ✓\n"
    log.write_bytes(text.encode())
    pieces = []
    offset = 0
    while offset < len(text.encode()):
        chunk = read_chunk(log, offset, 4)
        pieces.append(chunk.data)
        assert chunk.next_offset > offset
        offset = chunk.next_offset
    assert "".join(pieces) == text
    # Starting inside a character skips to the next whole one.
    assert read_chunk(log, 1, 100).data == text[1:]


def test_missing_log_is_empty(tmp_path: Path) -> None:
    chunk = read_chunk(tmp_path / "none.log", 0, 10)
    assert (chunk.data, chunk.size) == ("", 0)
