"""``hospital-twin worker``: run forking RQ worker processes for scenario jobs."""

from __future__ import annotations

import sys

import click


@click.command("worker")
@click.option("--count", type=click.IntRange(min=1), default=1, show_default=True,
              help="Number of worker processes.")
@click.option("--grace", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Seconds running jobs may finish after SIGINT/SIGTERM; then they are "
                   "stopped and marked failed.")
def worker(count: int, grace: float) -> None:
    """Run scenario jobs from the queue (HOSPITAL_TWIN_REDIS_URL) until Ctrl-C/SIGTERM."""
    from hospital_twin.jobs.worker import run_workers

    sys.exit(run_workers(count, grace))
