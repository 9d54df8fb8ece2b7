"""Delete scenarios (and an analysis): cancel their queued jobs, delete the rows, remove
the report files.

A fanned-out scenario (:mod:`hospital_twin.jobs.fanout`) has no job of its own: its
unfinished replication jobs are cancelled instead. A job already running notices that its
row is gone and stops itself, so cancelling is only a courtesy to the queue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from redis import Redis
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import Engine

from hospital_twin.jobs.fanout import is_fanout
from hospital_twin.jobs.report_files import running_path
from hospital_twin.store import DONE, FAILED, delete_scenarios
from hospital_twin.store.replications import list_replications

_FINISHED = (DONE, FAILED)


def _job_ids(engine: Engine, row: dict[str, Any]) -> list[str]:
    """The RQ jobs of an unfinished scenario that may still be queued."""
    if not row["job_id"] or row["status"] in _FINISHED:
        return []
    if is_fanout(row["job_id"]):
        return [rep["job_id"] for rep in list_replications(engine, row["scenario_id"])
                if rep["job_id"] and rep["status"] not in _FINISHED]
    return [row["job_id"]]


def _cancel(connection: Redis, job_id: str) -> None:
    try:
        Job.fetch(job_id, connection=connection, serializer=JSONSerializer).cancel()
    except Exception:  # gone, finished or running: a running job stops when its row goes
        pass


def remove_scenarios(connection: Redis, engine: Engine, rows: list[dict[str, Any]],
                     analysis_id: int | None = None) -> list[int]:
    """Delete the scenarios of ``rows`` (as :func:`~hospital_twin.store.get_scenario`
    returns them) and analysis ``analysis_id`` in one transaction, after cancelling their
    queued jobs; then remove their notebook and report files. Returns the scenario ids."""
    for row in rows:
        for job_id in _job_ids(engine, row):
            _cancel(connection, job_id)
    ids = [row["scenario_id"] for row in rows]
    delete_scenarios(engine, ids, analysis_id)
    for row in rows:
        notebook = row["notebook_path"]
        running = running_path(Path(notebook)) if notebook else None
        for path in (notebook, running, row["report_path"]):
            if path:
                Path(path).unlink(missing_ok=True)
    return ids
