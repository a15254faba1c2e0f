"""What a file task's status says (extractions and model conversions: files/tasks.py).

``queued`` (waiting for the worker), ``running``, then one of the ended statuses, which never
change again: ``succeeded``, ``failed`` (its ``error`` says why; also when the server stopped
while it ran) and ``cancelled`` (on request). Imports nothing: the kernel library uses it.
"""

from typing import Final, Literal, get_args

TaskStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
EndedStatus = Literal["succeeded", "failed", "cancelled"]

QUEUED: Final = "queued"
RUNNING: Final = "running"
SUCCEEDED: Final = "succeeded"
FAILED: Final = "failed"
CANCELLED: Final = "cancelled"

ENDED: frozenset[str] = frozenset(get_args(EndedStatus))
