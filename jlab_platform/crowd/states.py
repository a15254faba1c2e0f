"""Where a task stands.

``scoring``: the module's job trains and predicts for the current round.
``labeling``: the round's selected samples are being labeled (the round may be complete).
``failed``: the scoring job failed; its log says why, and the round can be run again.
``finished``: closed by the owner; reopened only when every selected sample was labeled.
"""

from typing import Final, Literal, get_args

CrowdState = Literal["scoring", "labeling", "failed", "finished"]

SCORING: Final = "scoring"
LABELING: Final = "labeling"
FAILED: Final = "failed"
FINISHED: Final = "finished"
STATES: tuple[CrowdState, ...] = get_args(CrowdState)

WAITING_REASON = {
    SCORING: "The module is choosing the samples of the next round; try again in a moment.",
    FAILED: "The task is waiting for its owner (choosing samples failed).",
    FINISHED: "This task is finished: thank you for labeling.",
}
