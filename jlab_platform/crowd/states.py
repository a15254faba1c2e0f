"""Where a task stands.

``scoring``: the module's job trains and predicts for the current round.
``labeling``: the round's selected samples are being labeled (the round may be complete).
``failed``: the scoring job failed; its log says why, and the round can be run again.
``finished``: closed by the owner; reopened only when every selected sample was labeled.
"""

from typing import Final, Literal

from ..i18n import N_

CrowdState = Literal["scoring", "labeling", "failed", "finished"]

SCORING: Final = "scoring"
LABELING: Final = "labeling"
FAILED: Final = "failed"
FINISHED: Final = "finished"

# Shown on the labeling page (translated by its routes, hence N_).
WAITING_REASON = {
    SCORING: N_("The module is choosing the samples of the next round; try again in a moment."),
    FAILED: N_("The task is waiting for its owner (choosing samples failed)."),
    FINISHED: N_("This task is finished: thank you for labeling."),
}
