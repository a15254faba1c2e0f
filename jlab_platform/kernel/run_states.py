"""Where a module's training run stands (the ``status`` of its ``run.json``).

``running`` while ``train`` runs, then ``complete`` (a usable checkpoint: predict and evaluate
take only these), ``failed`` (train raised; ``error`` says what) or ``interrupted`` (stopped
with Ctrl-C / the kernel's interrupt).
"""

from typing import Final, Literal, get_args

RunStatus = Literal["running", "complete", "failed", "interrupted"]
EndedStatus = Literal["complete", "failed", "interrupted"]

RUNNING: Final = "running"
COMPLETE: Final = "complete"
FAILED: Final = "failed"
INTERRUPTED: Final = "interrupted"

ENDED: frozenset[str] = frozenset(get_args(EndedStatus))
