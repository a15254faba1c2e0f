"""Jupyter server extension: HTTP handlers only; domain logic lives one level up."""
