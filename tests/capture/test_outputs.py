from typing import Any

from jlab_platform.capture.outputs import WIDGET_MIME, replay


def outputs_of(*records: dict[str, Any]) -> list[dict[str, Any]]:
    return replay(records, lambda ref: None).outputs


def stream(name: str, text: str) -> dict[str, Any]:
    return {"type": "stream", "name": name, "text": text}


def html(text: str, display_id: str | None = None, kind: str = "display_data") -> dict[str, Any]:
    record: dict[str, Any] = {"type": kind, "data": {"text/html": text}, "metadata": {}}
    if display_id:
        record["display_id"] = display_id
    return record


def test_chunks_of_one_stream_join_and_the_other_stream_starts_a_new_output() -> None:
    shown = outputs_of(
        stream("stdout", "a\r"), stream("stdout", "b\n"), stream("stderr", "w\n"), stream("stdout", "c")
    )
    assert [(o["name"], o["text"]) for o in shown] == [("stdout", "b\n"), ("stderr", "w\n"), ("stdout", "c")]


def test_an_update_replaces_every_output_shown_under_its_display_id() -> None:
    shown = outputs_of(
        html("step 0", "bar"),
        stream("stdout", "log\n"),
        html("step 0", "bar"),
        html("step 9", "bar", kind="update_display_data"),
    )
    assert [o.get("data", {}).get("text/html") for o in shown] == ["step 9", None, "step 9"]


def test_clear_output_wait_clears_on_the_next_output_but_not_on_an_update() -> None:
    shown = outputs_of(
        html("frame 1", "anim"),
        {"type": "clear_output", "wait": True},
        html("frame 2", "anim", kind="update_display_data"),
        html("frame 3"),
    )
    assert [o["data"]["text/html"] for o in shown] == ["frame 3"]
    # A clear forgets the display ids: a later update has nothing to update here.
    result = replay(
        [html("x", "d"), {"type": "clear_output", "wait": False}, html("y", "d", kind="update_display_data")],
        lambda ref: None,
    )
    assert result.outputs == []
    assert result.notes == ["1 display update(s) targeted outputs outside this cell and were left out."]


def test_results_and_errors_keep_their_nbformat_shape() -> None:
    shown = outputs_of(
        {"type": "execute_result", "data": {"text/plain": "42"}, "metadata": {}, "execution_count": 7},
        {"type": "error", "ename": "ValueError", "evalue": "bad", "traceback": ["line 1", "line 2"]},
    )
    assert shown == [
        {"output_type": "execute_result", "data": {"text/plain": "42"}, "metadata": {}, "execution_count": 7},
        {"output_type": "error", "ename": "ValueError", "evalue": "bad", "traceback": ["line 1", "line 2"]},
    ]


def test_widgets_and_comms_are_not_restored_and_the_notes_say_so() -> None:
    widget = {"model_id": "abc", "version_major": 2, "version_minor": 0}
    result = replay(
        [
            {"type": "comm_open", "target_name": "jupyter.widget"},
            {"type": "display_data", "data": {WIDGET_MIME: widget, "text/plain": "IntSlider(value=3)"}},
        ],
        lambda ref: None,
    )
    assert result.outputs[0]["data"] == {"text/plain": "IntSlider(value=3)"}
    assert "widgets and comms are not captured" in result.notes[0].lower()
    only_comm = replay([{"type": "comm_open", "target_name": "custom"}], lambda ref: None)
    assert only_comm.outputs == [] and "1 comm(s)" in only_comm.notes[0]
