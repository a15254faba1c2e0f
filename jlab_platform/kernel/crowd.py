"""Labeling tasks from a notebook: create, invite, follow, advance, finish, read the labels, label.

>>> from jlab_platform.kernel import crowd
>>> task = crowd.create_task("shapes", "datasets/shapes", "image-classifier",
...                          classes=["circle", "square"], max_choose=50)
>>> crowd.invite(task, "alice")          # the link to send to alice
>>> crowd.status(task)["progress"]
>>> crowd.label(task)                    # label here, with the same keys as the labeling page
>>> crowd.next_round(task); crowd.finish(task)
>>> crowd.labels(task)                   # every label (a pandas DataFrame when pandas is installed)
>>> samples, labels = crowd.read_csv(task)  # the round files, as the seed's read_csv()
"""

import html
import importlib
import time
import urllib.parse
import urllib.request
import uuid
import warnings
from collections.abc import Iterable
from typing import Any

from .client import API_PREFIX, ServerConnection, ServerError, find_server

TaskRef = str | dict[str, Any]
_WAITING = ("scoring",)


def create_task(
    name: str,
    dataset: str,
    module: str,
    classes: Iterable[str] | None = None,
    max_choose: int = 100,
    overlap: int = 1,
    strategy: str = "least_confidence",
    description: str = "",
    labelers: Iterable[str] = (),
    seed: int = 0,
    max_rounds: int | None = None,
    env: str = "cpu",
    train_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Create a task; its first round is scored by the module as a job. Invites are in ``["invites"]``."""
    server = find_server()
    body: dict[str, Any] = {
        "name": name,
        "dataset": dataset,
        "module": module,
        "max_choose": max_choose,
        "overlap": overlap,
        "strategy": strategy,
        "description": description,
        "labelers": list(labelers),
        "seed": seed,
        "env": env,
        "train_options": train_options or {},
    }
    if classes is not None:
        body["classes"] = list(classes)
    if max_rounds is not None:
        body["max_rounds"] = max_rounds
    task: dict[str, Any] = server.request("POST", "crowd/tasks", body, timeout=300)
    for invite in task.get("invites", []):
        invite["link"] = _absolute(server, invite["link"])
    return task


def tasks() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = find_server().request("GET", "crowd/tasks")["tasks"]
    return found


def status(task: TaskRef) -> dict[str, Any]:
    """Rounds, progress, counts per class and labeler, agreement, result files."""
    detail: dict[str, Any] = find_server().request("GET", _path(task))
    return detail


def wait(task: TaskRef, timeout: float | None = None, poll_seconds: float = 1.0) -> dict[str, Any]:
    """Block while the module's job chooses the round's samples; return the task."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        detail = status(task)
        if detail["state"] not in _WAITING or (deadline is not None and time.monotonic() >= deadline):
            return detail
        time.sleep(poll_seconds)


def invite(task: TaskRef, name: str, expires_hours: float | None = None) -> str:
    """A labeling link for ``name`` (an earlier link of the same name stops working)."""
    server = find_server()
    body: dict[str, Any] = {"name": name}
    if expires_hours is not None:
        body["expires_hours"] = expires_hours
    answer = server.request("POST", _path(task, "invites"), body)
    return _absolute(server, answer["link"])


def revoke(task: TaskRef, labeler_id: str) -> dict[str, Any]:
    labeler: dict[str, Any] = find_server().request("DELETE", _path(task, "invites", labeler_id))
    return labeler


def next_round(task: TaskRef, force: bool = False) -> dict[str, Any]:
    """Train on every label so far, predict, and select the next round's samples."""
    detail: dict[str, Any] = find_server().request(
        "POST", _path(task, "next-round"), {"force": force}, timeout=300
    )
    return detail


def finish(task: TaskRef, allow_unlabeled: bool = False) -> dict[str, Any]:
    """Close the task. With samples still unlabeled it is refused unless ``allow_unlabeled``
    (and such a task can never be reopened)."""
    body = {"confirm": True, "allow_unlabeled": allow_unlabeled}
    detail: dict[str, Any] = find_server().request("POST", _path(task, "finish"), body)
    return detail


def labels(task: TaskRef) -> Any:
    """Every individual label: a pandas DataFrame when pandas is installed, else a list of dicts."""
    rows: list[dict[str, Any]] = find_server().request("GET", _path(task, "labels"))["labels"]
    try:
        pandas = importlib.import_module("pandas")
    except ImportError:
        return rows
    columns = ["round", "sample", "path", "label", "labeler", "labeler_id", "created_at"]
    return pandas.DataFrame(rows, columns=columns)


def read_csv(task: TaskRef) -> tuple[list[str], list[str]]:
    """``(samples, labels)`` of every round file (majority labels), as the seed's ``read_csv()``.

    Sample paths are relative to the dataset folder, as in the files.
    """
    rows = find_server().request("GET", _path(task, "rows"))["rows"]
    return [row["sample"] for row in rows], [row["label"] for row in rows]


def label(task: TaskRef) -> "LabelingWidget":
    """A labeling widget: digits pick a class, Enter/space submit, Backspace undoes, S skips."""
    return LabelingWidget(OwnerLabeling(_task_id(task))).start()


class OwnerLabeling:
    """The owner's side of the labeling calls (the labeling page's, with the Jupyter login)."""

    def __init__(self, task_id: str, server: ServerConnection | None = None) -> None:
        self.task_id = task_id
        self.server = server or find_server()

    def overview(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.server.request("GET", _path(self.task_id, "labeling"))
        return answer

    def call(self, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        payload = {"prefetch": 1, **(body or {})}
        answer: dict[str, Any] = self.server.request("POST", _path(self.task_id, "labeling", action), payload)
        return answer

    def image(self, sample_id: str) -> bytes:
        url = self.server.url + API_PREFIX + "/" + _path(self.task_id, "samples", sample_id, "image")
        request = urllib.request.Request(url, headers={"Authorization": f"token {self.server.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            data: bytes = response.read()
            return data


class LabelingWidget:
    """The labeling page's keys in a notebook, typed into the widget's key box.

    The key box is a text input: while it has the focus, JupyterLab treats the notebook as
    being typed in (its command-mode shortcuts stay off), so digits, S, Enter, space and
    Backspace reach only this widget. Every action puts the focus back into it.
    """

    _READY = "›"  # the key box holds this between keys; Backspace empties it

    def __init__(self, source: OwnerLabeling) -> None:
        widgets = importlib.import_module("ipywidgets")
        self.source = source
        self.classes: list[str] = []
        self.queue: list[dict[str, Any]] = []
        self.chosen: int | None = None
        self.last: dict[str, Any] = {}
        self.title = widgets.HTML()
        self.progress = widgets.HTML()
        self.image = widgets.Image(
            format="png", layout=widgets.Layout(width="320px", height="320px", object_fit="contain")
        )
        self.sample = widgets.HTML()
        # A file name often gives the class away (cat_012.jpg): shown only on request.
        self.show_name = widgets.ToggleButton(description="Show file name", value=False)
        self.show_name.observe(lambda _change: self._show_sample_name(), "value")
        self.class_box = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        buttons = []
        for text, action in (("⌫ Undo", self.undo), ("S Skip", self.skip), ("Enter Submit", self.submit)):
            button = widgets.Button(description=text, layout=widgets.Layout(width="auto"))
            button.on_click(lambda _b, act=action: self._then_focus(act))
            buttons.append(button)
        self.keys = widgets.Text(
            value=self._READY,
            description="Keys",
            placeholder="click here, then type",
            continuous_update=True,
            layout=widgets.Layout(width="280px"),
        )
        self.keys.observe(self._on_keys, "value")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            self.keys.on_submit(lambda _box: self._then_focus(self.submit))  # Enter in the key box
        self.message = widgets.HTML()
        help_text = "digits pick a class · Enter or space submits · Backspace undoes · S skips"
        self.box = widgets.VBox(
            [
                widgets.HBox([self.title, self.progress]),
                self.image,
                widgets.HBox([self.show_name, self.sample]),
                self.class_box,
                widgets.HBox([*buttons, self.keys]),
                self.message,
                widgets.HTML(f"<small>{help_text}</small>"),
            ]
        )
        self.box.add_class("jlab-platform-labeling")
        self._widgets = widgets

    def start(self) -> "LabelingWidget":
        overview = self.source.overview()
        self.classes = list(overview["task"]["classes"])
        self.title.value = (
            f"<b>{html.escape(overview['task']['name'])}</b> · {html.escape(overview['labeler'])}"
        )
        toggles = []
        for index, name in enumerate(self.classes):
            key = str(index + 1) if index < 9 else ("0" if index == 9 else "")
            toggle = self._widgets.ToggleButton(description=f"{key} {name}".strip(), value=False)
            toggle.observe(lambda change, i=index: self._on_toggle(i, bool(change["new"])), "value")
            toggles.append(toggle)
        self.class_box.children = toggles
        self._apply(self.source.call("next"))
        return self

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.box._repr_mimebundle_(**kwargs)

    # -- the keys ----------------------------------------------------------------

    def press(self, key: str) -> None:
        if key.isdigit():
            self.choose(9 if key == "0" else int(key) - 1)
        elif key in (" ", "Enter", "\n"):
            self.submit()
        elif key == "Backspace":
            self.undo()
        elif key in ("s", "S"):
            self.skip()

    def choose(self, index: int) -> None:
        if not 0 <= index < len(self.classes) or not self.queue:
            return
        self.chosen = index
        for position, toggle in enumerate(self.class_box.children):
            toggle.value = position == index
        self._say("")

    def submit(self) -> None:
        if not self.queue:
            return
        if self.chosen is None:
            self._say(f"Pick a class first (1-{min(len(self.classes), 9)}).")
            return
        body = {
            "sample_id": self.queue[0]["id"],
            "label": self.classes[self.chosen],
            "request_id": uuid.uuid4().hex,
        }
        self._act("labels", body)

    def skip(self) -> None:
        if self.queue:
            self._act("skip", {"sample_id": self.queue[0]["id"]})

    def undo(self) -> None:
        answer = self._act("undo", {})
        if answer is not None and answer.get("undone", {}).get("label") in self.classes:
            self.choose(self.classes.index(answer["undone"]["label"]))

    # -- internals -----------------------------------------------------------------

    def _on_keys(self, change: dict[str, Any]) -> None:
        typed = str(change["new"])
        if typed == self._READY:
            return
        if not typed.startswith(self._READY):
            self.press("Backspace")  # the key box was emptied
        else:
            for key in typed[len(self._READY) :]:
                self.press(key)
        self.keys.value = self._READY

    def _on_toggle(self, index: int, pressed: bool) -> None:
        if pressed and self.chosen != index:  # a click (choose() sets the others itself)
            self._then_focus(lambda: self.choose(index))

    def _act(self, action: str, body: dict[str, Any]) -> dict[str, Any] | None:
        try:
            answer = self.source.call(action, body)
        except ServerError as exc:
            self._say(str(exc.error) + (f": {exc.detail}" if exc.detail else ""))
            if exc.status == 409:
                self._apply(self.source.call("next"))
            return None
        self._apply(answer)
        return answer

    def _apply(self, answer: dict[str, Any]) -> None:
        self.last = answer
        self.queue = list(answer.get("samples") or [])
        self.chosen = None
        for toggle in self.class_box.children:
            toggle.value = False
        progress = answer.get("progress") or {}
        self.progress.value = html.escape(
            f" {progress.get('labels', 0)} of {progress.get('needed', 0)} · round {progress.get('round', '')}"
        )
        self._show_sample_name()
        if not self.queue:
            self.image.value = b""
            self._say(answer.get("waiting") or "Nothing left to label for you in this round.")
            return
        sample = self.queue[0]
        self.image.format = sample["name"].rsplit(".", 1)[-1].lower().replace("jpg", "jpeg")
        self.image.value = self.source.image(sample["id"])

    def _then_focus(self, action: Any) -> None:
        action()
        self.keys.focus()

    def _show_sample_name(self) -> None:
        shown = self.queue and self.show_name.value
        self.sample.value = html.escape(self.queue[0]["name"]) if shown else ""

    def _say(self, text: str) -> None:
        self.message.value = html.escape(text)


def _task_id(task: TaskRef) -> str:
    task_id = task.get("id") if isinstance(task, dict) else task
    if not isinstance(task_id, str) or not task_id:
        raise ValueError("Pass a task id, or the task dict that create_task / tasks() returned")
    return task_id


def _path(task: TaskRef, *rest: str) -> str:
    parts = ["crowd", "tasks", _task_id(task), *rest]
    return "/".join(urllib.parse.quote(part, safe="") for part in parts)


def _absolute(server: ServerConnection, link: str) -> str:
    """The server's URL with the link's path (``link`` starts with the server's base URL)."""
    parsed = urllib.parse.urlsplit(server.url)
    return urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, "", "", "")) + link
