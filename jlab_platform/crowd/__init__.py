"""Labeling and crowdsourcing: active-learning rounds over a dataset, labeled by invited people."""

from .service import CrowdService, CrowdSettings
from .states import STATES

__all__ = ["STATES", "CrowdService", "CrowdSettings"]
