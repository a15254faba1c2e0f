"""What a job's status says: the one list of the words (API, store rows, exit records,
job-status events, the kernel library and the UI all use these values).

``pending``: waiting for a slot (or for the cluster to start it); ``running``;
then one of the ended statuses, which never change again: ``success`` (exit code 0),
``failed`` (any other exit, or the job was lost) and ``terminated`` (stopped on request).
Imports nothing: the job supervisor and kernels use it.
"""

from typing import Final, Literal, get_args

JobStatus = Literal["pending", "running", "success", "terminated", "failed"]
ActiveStatus = Literal["pending", "running"]
EndedStatus = Literal["success", "terminated", "failed"]

PENDING: Final = "pending"
RUNNING: Final = "running"
SUCCESS: Final = "success"
TERMINATED: Final = "terminated"
FAILED: Final = "failed"

STATUSES: tuple[JobStatus, ...] = get_args(JobStatus)
ENDED_STATUSES: tuple[EndedStatus, ...] = get_args(EndedStatus)  # in the order messages list them
ACTIVE: frozenset[str] = frozenset(get_args(ActiveStatus))
ENDED: frozenset[str] = frozenset(ENDED_STATUSES)
