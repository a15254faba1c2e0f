"""Long-running jobs on CPU/GPU that outlive the browser and the server.

Deliberately empty of imports: the supervisor (``jobs.supervisor``) is started
for every job and must reach the job's first line without loading SQLAlchemy.
"""
