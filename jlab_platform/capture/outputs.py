"""Replay a capture's records into the outputs the cell showed, as nbformat output dicts.

``OutputReplay`` follows JupyterLab's output area: consecutive stream chunks of the same
stream join one output (with ``\\r``/``\\b`` applied), ``update_display_data`` replaces the
outputs shown under that display id, ``clear_output(wait=True)`` clears on the next output,
and a clear forgets the display ids. What cannot be restored (widgets, comms, updates of
outputs in other cells, lost images) is counted and said in ``notes``.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .text import StreamText

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
NOT_CAPTURED = "Widgets and comms are not captured"

BlobLoader = Callable[[dict[str, Any]], str | None]


@dataclass
class Restored:
    outputs: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


class OutputReplay:
    def __init__(self) -> None:
        self._outputs: list[dict[str, Any]] = []
        self._streams: dict[int, StreamText] = {}
        self._display_ids: dict[str, list[int]] = {}
        self._last_stream = ""
        self._clear_next = False
        self._comms = 0
        self._foreign_updates = 0

    def add(self, record: dict[str, Any]) -> None:
        kind = record.get("type")
        if kind == "stream":
            self._add_stream(str(record.get("name", "stdout")), str(record.get("text", "")))
        elif kind in ("display_data", "execute_result", "error"):
            self._add_output(record)
        elif kind == "update_display_data":
            self._update(record)
        elif kind == "clear_output":
            if record.get("wait"):
                self._clear_next, self._last_stream = True, ""
            else:
                self._clear()
        elif kind == "comm_open":
            self._comms += 1

    def result(self, load_blob: BlobLoader) -> Restored:
        """The outputs shown at the end, with stored payloads read back (each blob once)."""
        blobs: dict[str, str | None] = {}

        def load_once(ref: dict[str, Any]) -> str | None:
            digest = str(ref.get("$blob"))
            if digest not in blobs:
                blobs[digest] = load_blob(ref)
            return blobs[digest]

        for index, stream in self._streams.items():
            self._outputs[index]["text"] = stream.text
        widgets = lost = 0
        for output in self._outputs:
            data = output.get("data")
            # Only blob references and widget views are dicts worth looking into.
            if not isinstance(data, dict) or not any(type(value) is dict for value in data.values()):
                continue
            output["data"], missing = _inline(data, load_once)
            lost += missing
            if WIDGET_MIME in output["data"]:
                widgets += 1
                output["data"] = _without_widget(output["data"])
        return Restored(self._outputs, self._notes(widgets, lost))

    def _add_stream(self, name: str, text: str) -> None:
        self._apply_clear_next()
        if name == self._last_stream and self._outputs:
            self._streams[len(self._outputs) - 1].write(text)
            return
        stream = StreamText()
        stream.write(text)
        self._streams[len(self._outputs)] = stream
        self._outputs.append({"output_type": "stream", "name": name, "text": ""})
        self._last_stream = name

    def _add_output(self, record: dict[str, Any]) -> None:
        self._apply_clear_next()
        kind = record["type"]
        output: dict[str, Any]
        if kind == "error":
            output = {
                "output_type": "error",
                "ename": str(record.get("ename", "")),
                "evalue": str(record.get("evalue", "")),
                "traceback": list(record.get("traceback") or []),
            }
        else:
            output = {"output_type": kind, "data": record.get("data") or {}}
            output["metadata"] = record.get("metadata") or {}
            if kind == "execute_result":
                output["execution_count"] = record.get("execution_count")
        self._outputs.append(output)
        self._last_stream = ""
        display_id = record.get("display_id")
        if kind == "display_data" and isinstance(display_id, str):
            self._display_ids.setdefault(display_id, []).append(len(self._outputs) - 1)

    def _update(self, record: dict[str, Any]) -> None:
        targets = self._display_ids.get(str(record.get("display_id")), [])
        if not targets:
            self._foreign_updates += 1
        for index in targets:
            self._outputs[index] = {
                "output_type": "display_data",
                "data": record.get("data") or {},
                "metadata": record.get("metadata") or {},
            }

    def _apply_clear_next(self) -> None:
        if self._clear_next:
            self._clear()
            self._clear_next = False

    def _clear(self) -> None:
        self._outputs, self._streams, self._display_ids = [], {}, {}
        self._last_stream = ""

    def _notes(self, widgets: int, lost: int) -> list[str]:
        notes = []
        if widgets:
            notes.append(
                f"{widgets} widget view(s) could not be restored ({NOT_CAPTURED}); their text form is shown."
            )
        elif self._comms:
            notes.append(f"{self._comms} comm(s) were opened and could not be restored ({NOT_CAPTURED}).")
        if self._foreign_updates:
            notes.append(
                f"{self._foreign_updates} display update(s) targeted outputs outside this cell "
                "and were left out."
            )
        if lost:
            notes.append(f"{lost} image(s) or large output(s) could not be read back from the store.")
        return notes


def replay(records: Iterable[dict[str, Any]], load_blob: BlobLoader) -> Restored:
    model = OutputReplay()
    for record in records:
        model.add(record)
    return model.result(load_blob)


def _inline(data: dict[str, Any], load_blob: BlobLoader) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    missing = 0
    for mime, value in data.items():
        if isinstance(value, dict) and "$blob" in value:
            loaded = load_blob(value)
            if loaded is None:
                missing += 1
                continue
            value = loaded
        out[mime] = value
    if missing and not out:
        out["text/plain"] = "[output not available: its stored payload is missing]"
    return out, missing


def _without_widget(data: dict[str, Any]) -> dict[str, Any]:
    kept = {mime: value for mime, value in data.items() if mime != WIDGET_MIME}
    kept.setdefault("text/plain", "[widget]")
    return kept
