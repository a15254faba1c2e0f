"""Long-running jobs on CPU/GPU that outlive the browser and the server."""

from .executor import JobExecutor, LocalExecutor
from .service import JobService, JobSettings

__all__ = ["JobExecutor", "JobService", "JobSettings", "LocalExecutor"]
