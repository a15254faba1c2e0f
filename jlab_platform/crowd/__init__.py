"""Labeling and crowdsourcing: active-learning rounds over a dataset, labeled by invited people."""

from .service import CrowdService, CrowdSettings

__all__ = ["CrowdService", "CrowdSettings"]
