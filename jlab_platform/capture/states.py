"""Where a capture stands (its meta.json ``state``, the API's ``state``).

``running``: the cell is still executing and its kernel is alive; then one of the ended states:
``finished`` (the cell ran to its end), ``failed`` (the cell raised; ``reason`` says what) and
``incomplete`` (recording stopped early: the kernel died, was restarted or the disk failed;
``reason`` says which). A ``running`` meta whose kernel is gone reads as ``incomplete``.
"""

from typing import Final, Literal, get_args

CaptureState = Literal["running", "finished", "failed", "incomplete"]
EndedState = Literal["finished", "failed", "incomplete"]

RUNNING: Final = "running"
FINISHED: Final = "finished"
FAILED: Final = "failed"
INCOMPLETE: Final = "incomplete"

ENDED: frozenset[str] = frozenset(get_args(EndedState))
