"""TensorBoard: supervised instances per log folder (service.py), event files of jobs' and
trainings' metrics (events.py, job_events.py).

Kept free of imports: the job supervisor loads ``job_events`` alone, on a job's first metric.
"""

# Set by the server for kernels and jobs: the folder their TensorBoard runs are written to.
RUNS_DIR_ENV = "JLAB_TENSORBOARD_RUNS_DIR"
