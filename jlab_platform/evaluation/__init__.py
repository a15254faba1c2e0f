"""Evaluation reports: exact metrics (metrics.py), the report folder (report.py), per-sample
records (samples.py) and the server's side of evaluations (service.py)."""
