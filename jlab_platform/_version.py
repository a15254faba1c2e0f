"""The single Python-side version; ``package.json`` must carry the same (checked by a test)."""

__version__ = "0.1.0"
