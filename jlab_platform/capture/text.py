"""Stream text as JupyterLab shows it: ``\\r`` returns to the line start, ``\\b`` deletes.

``StreamText`` applies the rules of JupyterLab's output area (``processText`` in
``@jupyterlab/outputarea``) so a restored stream looks exactly as it did live: characters
overwrite from the cursor, ``\\r`` moves the cursor to the start of the last line, ``\\n``
ends the last line whatever the cursor, and ``\\b`` removes the characters before and at
the cursor. ``collapse`` shortens a chunk of a stream without changing what it does to
any text it is appended to, which is how progress-bar floods are kept small in the store.
"""

import re

_CONTROL = re.compile(r"([\r\b])")


class StreamText:
    """The visible text of one stream output, built from the chunks that were written to it."""

    def __init__(self) -> None:
        self._done: list[str] = []  # finished lines, each with its "\n"
        self._line = ""
        self._cursor = 0

    @property
    def text(self) -> str:
        return "".join(self._done) + self._line

    @property
    def cursor(self) -> int:
        """Where the next character goes, within the last line."""
        return self._cursor

    def write(self, chunk: str) -> None:
        first, *rest = chunk.split("\n")
        self._apply(first)
        for segment in rest:
            self._done.append(self._line + "\n")
            self._line, self._cursor = "", 0
            self._apply(segment)

    def _apply(self, segment: str) -> None:
        if "\r" not in segment and "\b" not in segment:
            self._overwrite(segment)
            return
        for piece in _CONTROL.split(segment):
            if piece == "\r":
                self._cursor = 0
            elif piece == "\b":
                if self._cursor > 0:
                    self._line = self._line[: self._cursor - 1] + self._line[self._cursor + 1 :]
                    self._cursor -= 1
            elif piece:
                self._overwrite(piece)

    def _overwrite(self, piece: str) -> None:
        if self._cursor == len(self._line):
            self._line += piece
        else:
            end = self._cursor + len(piece)
            self._line = self._line[: self._cursor] + piece + self._line[end:]
        self._cursor += len(piece)


def visible(text: str) -> str:
    """What JupyterLab shows for a stream output whose chunks add up to ``text``."""
    stream = StreamText()
    stream.write(text)
    return stream.text


def collapse(chunk: str) -> str:
    """A chunk that does to any preceding text exactly what ``chunk`` does, usually much shorter.

    A tqdm bar redrawn a thousand times (``"\\r 1%|..."`` ... ``"\\r100%|..."``) becomes its
    last drawing; lines that ``\\r`` rewrote become their final text.
    """
    if "\r" not in chunk and "\b" not in chunk:
        return chunk
    head, newline, rest = chunk.partition("\n")
    parts = [_collapse_head(head)]
    if newline:
        *lines, tail = rest.split("\n")
        parts.extend("\n" + _evaluate(line)[0] for line in lines)
        text, cursor = _evaluate(tail)
        parts.append("\n" + _with_cursor(text, cursor))
    return "".join(parts)


def _collapse_head(head: str) -> str:
    """The part before the first newline acts on a line we cannot see: keep what it may touch."""
    if "\b" in head or "\r" not in head:
        return head
    before, _, after = head.partition("\r")
    # After the first \r every write lands at a known column of that line, from column 0:
    # the result is an overlay of the line's start plus a cursor position.
    overlay, cursor = _evaluate("\r" + after)
    return before + "\r" + _with_cursor(overlay, cursor)


def _evaluate(line: str) -> tuple[str, int]:
    stream = StreamText()
    stream.write(line)
    return stream.text, stream.cursor


def _with_cursor(text: str, cursor: int) -> str:
    return text if cursor == len(text) else text + "\r" + text[:cursor]
