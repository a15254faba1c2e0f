"""Capture and restore cell output: the store format, ``\\r`` semantics, throttling, replay.

Shared by the kernel (which writes captures) and the server (which lists, reads and deletes
them); nothing here imports tornado or IPython.
"""

from .names import check_name
from .outputs import Restored, replay
from .service import CaptureService
from .store import CaptureMeta, CaptureWriter

__all__ = ["CaptureMeta", "CaptureService", "CaptureWriter", "Restored", "check_name", "replay"]
