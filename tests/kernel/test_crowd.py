"""The kernel library's labeling client and notebook widget, in a real kernel of a real server."""

import json
from collections.abc import Iterator

import pytest

from tests.crowd.modules import make_images, make_seed_module
from tests.helpers.jupyter import ServerProcess, running_server
from tests.helpers.postgres import create_database


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """A server on the embedded SQLite store, and one on a real PostgreSQL server."""
    root = tmp_path_factory.mktemp("kernel-crowd") / "root"
    root.mkdir()
    args = []
    if request.param == "postgresql":
        database = create_database(request.getfixturevalue("postgres_admin_url"), "kernel_crowd")
        args.append(f"--JlabPlatform.db_url={database}")
    with running_server(root, *args) as server:
        yield server


def test_create_invite_label_in_the_widget_and_read_back(server: ServerProcess) -> None:
    make_images(server.root / "kernel_shapes" / "images", 12)
    make_seed_module(server.root / "kernel_modules" / "cstest")
    output = server.run_in_new_kernel(
        """
import json
from jlab_platform.kernel import crowd
task = crowd.create_task(
    "from kernel", "kernel_shapes", "kernel_modules/cstest", max_choose=3, labelers=["ann"]
)
print("INVITE", task["invites"][0]["link"].split("#")[0])
print("STATE", crowd.wait(task, timeout=120)["state"])
link = crowd.invite(task, "ben")
print("LINK", link.split("#")[0], len(link.split("#")[1]) > 40)

# No frontend is attached: the widgets keep their messages to themselves (the test client
# stops reading at the first binary frame, which an image widget sends).
import comm
comm.create_comm = comm.DummyComm
w = crowd.label(task)
print("SHOWN", repr(w.sample.value), len(w.image.value) > 0, [b.description for b in w.class_box.children])
w.show_name.value = True       # the file name only on request: it can give the class away
print("NAMED", w.sample.value == w.queue[0]["name"])
w.show_name.value = False
w.keys.value = "›1"            # the digit 1 typed into the key box
print("CHOSEN", w.chosen, [b.value for b in w.class_box.children], w.keys.value)
w.keys.value = "› "            # space submits
print("SUBMITTED", w.last["progress"]["labels"])
w.keys.value = ""              # Backspace undoes
print("UNDONE", w.last["undone"]["label"], w.chosen, w.last["progress"]["labels"])
w.press("2"); w.press("Enter")
w.keys.value = "›s"            # S skips
print("SKIPPED", w.last["progress"]["labels"], len(w.queue))
w.submit()
print("NOCLASS", w.message.value)
while w.queue:
    w.press("1"); w.press("Enter")
print("DONE", w.last["progress"]["labels"], w.message.value)

rows = crowd.labels(task)
print("LABELS", type(rows).__name__, sorted(rows["labeler"]))  # pandas is in the notebook stack
print("STATUS", json.dumps(crowd.status(task)["progress"]))
print("FINISH", crowd.finish(task, allow_unlabeled=True)["state"])
samples, labels = crowd.read_csv(task)  # the round file is written when the round closes
print("CSV", len(samples), sorted(set(labels)), all(s.startswith("images/") for s in samples))
print("TASKS", [t["name"] for t in crowd.tasks()])
""",
        timeout=240,
    )
    lines = dict(
        line.split(" ", 1) for line in output.splitlines() if line and line.split(" ", 1)[0].isupper()
    )
    assert lines.get("STATE") == "labeling", output
    assert lines["INVITE"] == f"{server.url}jlab-platform/label", output
    assert lines["LINK"] == f"{server.url}jlab-platform/label True", output
    assert lines["SHOWN"] == "'' True ['1 circle', '2 square']", output
    assert lines["NAMED"] == "True", output
    assert lines["CHOSEN"] == "0 [True, False] ›", output
    assert lines["SUBMITTED"] == "1", output
    assert lines["UNDONE"] == "circle 0 0", output
    assert lines["SKIPPED"] == "1 1", output
    assert "Pick a class first" in lines["NOCLASS"], output
    assert lines["LABELS"].startswith("DataFrame ['owner', 'owner"), output
    assert lines["DONE"].startswith("2 Nothing left to label"), output  # the skipped one is not offered again
    assert lines["CSV"] == "2 ['circle', 'square'] True", output
    assert json.loads(lines["STATUS"])["needed"] == 3, output
    assert lines["FINISH"] == "finished", output
    assert "from kernel" in lines["TASKS"], output


def test_errors_say_what_to_fix(server: ServerProcess) -> None:
    output = server.run_in_new_kernel(
        """
from jlab_platform.kernel import crowd
from jlab_platform.kernel.client import ServerError
for call in (lambda: crowd.create_task("x", "../outside", "m"), lambda: crowd.status("nosuchtask")):
    try:
        call()
    except ServerError as exc:
        print("REFUSED", exc.status, exc.error)
try:
    crowd.status({"name": "no id"})
except ValueError as exc:
    print("VALUE", exc)
"""
    )
    assert "REFUSED 400 dataset: Path '../outside' contains '..'" in output, output
    assert "REFUSED 404 No labeling task 'nosuchtask'" in output, output
    assert "VALUE Pass a task id" in output, output


def test_labels_is_a_dataframe_when_pandas_is_there(server: ServerProcess) -> None:
    output = server.run_in_new_kernel(
        """
import sys, types
from jlab_platform.kernel import crowd
class Frame:
    def __init__(self, rows, columns): self.rows, self.columns = rows, columns
sys.modules["pandas"] = types.SimpleNamespace(DataFrame=Frame)
crowd.find_server = lambda: types.SimpleNamespace(request=lambda *a, **k: {"labels": [{"round": 1}]})
frame = crowd.labels("abc")
print(type(frame).__name__, frame.columns[:4], frame.rows)
"""
    )
    assert "Frame ['round', 'sample', 'path', 'label'] [{'round': 1}]" in output, json.dumps(output)
