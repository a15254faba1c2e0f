import random
import re

import pytest

from jlab_platform.capture.text import StreamText, collapse, visible


def jupyterlab_process_text(index: int, new: str, text: str) -> tuple[str, int]:
    """``processText`` of @jupyterlab/outputarea 4.x (lib/model.js), line for line: the reference."""
    if not any(ch in new for ch in "\b\r\n"):
        return text[:index] + new + text[index + len(new) :], index + len(new)
    idx0, last = index, 0
    while True:
        found = re.compile(r"[\n\b\r]").search(new, last)
        idx1 = found.start() if found else -1
        prefix = new[last : len(new) if idx1 == -1 else idx1]
        text = text[:idx0] + prefix + text[idx0 + len(prefix) :]
        last, idx0 = idx1 + 1, idx0 + len(prefix)
        if idx1 == -1:
            return text, idx0
        if new[idx1] == "\b":
            if idx0 > 0 and text[idx0 - 1] != "\n":
                text = text[: idx0 - 1] + text[idx0 + 1 :]
                idx0 -= 1
        elif new[idx1] == "\r":
            while idx0 > 0 and text[idx0 - 1] != "\n":
                idx0 -= 1
        else:
            text += "\n"
            idx0 = len(text)


@pytest.mark.parametrize(
    ("chunks", "shown"),
    [
        (["abcdef\rXY"], "XYcdef"),  # \r returns to the line start and overwrites
        (["shell-echo\r\n", "next\n"], "shell-echo\nnext\n"),  # what `!cmd` prints
        (["50%\r", "60%\r", "done\n"], "done\n"),
        (["abc\rX", "Y"], "XYc"),  # the cursor carries over from one chunk to the next
        (["abc\r\n"], "abc\n"),  # \n ends the line whatever the cursor
        (["abc\b\bX"], "aX"),  # JupyterLab's \b removes the character before and at the cursor
        (["line 1\nline 2\r", "LINE"], "line 1\nLINE 2"),
    ],
)
def test_stream_text_shows_what_jupyterlab_shows(chunks: list[str], shown: str) -> None:
    stream = StreamText()
    for chunk in chunks:
        stream.write(chunk)
    assert stream.text == shown


def test_a_redrawn_progress_bar_collapses_to_its_last_drawing() -> None:
    bars = "".join(f"\r{i:3d}%|{'#' * (i // 10):<10}|" for i in range(101))
    flood = bars * 100 + "\nnext line\n"
    short = collapse(flood)
    assert short == "\r100%|##########|\nnext line\n"
    assert visible(short) == visible(flood) == "100%|##########|\nnext line\n"


def test_collapse_keeps_what_a_chunk_does_to_the_line_before_it() -> None:
    # The previous record ended mid-line; this chunk only rewrites the start of that line.
    assert visible("50% done, eta 3s" + collapse("\r60%\r70%")) == "70% done, eta 3s"
    assert visible("abc" + collapse("XY\rZ")) == "ZbcXY"


def test_collapse_matches_jupyterlab_on_random_streams() -> None:
    rng = random.Random(4)
    for _ in range(3000):
        chunks = ["".join(rng.choice("ab\r\n\bxy") for _ in range(rng.randint(0, 14))) for _ in range(4)]
        text, index = "", 0
        plain, collapsed = StreamText(), StreamText()
        for chunk in chunks:
            text, index = jupyterlab_process_text(index, chunk, text)
            plain.write(chunk)
            collapsed.write(collapse(chunk))
        assert plain.text == collapsed.text == text, chunks
