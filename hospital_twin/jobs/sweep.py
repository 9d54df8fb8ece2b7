"""Find scenarios whose job is gone and mark them failed, so nothing stays "running".

Run when a worker or the API starts (and periodically by the API). A queued/running
scenario is abandoned when its RQ job no longer exists, has failed or finished without
storing results, or when the process running it has died: checked directly for processes
on this host, and through RQ's started-job registry (whose entries expire when a worker
stops sending heartbeats) for other hosts.
"""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

from redis import Redis
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer
from sqlalchemy import Engine

from hospital_twin.jobs.fanout import fanout_abandoned_reason, is_fanout
from hospital_twin.jobs.processes import pid_alive
from hospital_twin.store import RUNNING, mark_failed, unfinished_scenarios

log = logging.getLogger(__name__)

#: Seconds a freshly stored scenario may exist before its job is (necessarily) enqueued.
GRACE_S = 30.0


def _job_reason(job: Job) -> str | None:
    status = job.get_status(refresh=True)
    if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
        result = job.latest_result()
        text = (result.exc_string or "").strip().splitlines() if result else []
        return f"the job {status.value}: {text[-1] if text else 'no reason recorded'}"
    if status == JobStatus.FINISHED:
        return "the job finished without storing results"
    return None


def abandoned_reason(row: dict[str, Any], connection: Redis, now: float,
                     host: str) -> str | None:
    """Why the scenario in ``row`` can no longer finish, or None if its job is alive."""
    if not row["job_id"]:
        return None
    try:
        job = Job.fetch(row["job_id"], connection=connection, serializer=JSONSerializer)
    except NoSuchJobError:
        if now - row["created"] < GRACE_S:
            return None
        return "its job vanished from the queue (Redis was restarted or emptied)"
    reason = _job_reason(job)
    if reason is None and row["status"] == RUNNING and row["worker_host"] == host \
            and row["worker_pid"] and not pid_alive(int(row["worker_pid"])):
        reason = (f"the worker process running it (pid {row['worker_pid']} on {host}) "
                  "died")
    return reason


def sweep_abandoned(engine: Engine, connection: Redis, queue_name: str) -> list[int]:
    """Mark abandoned scenarios failed; returns their ids."""
    StartedJobRegistry(queue_name, connection=connection,
                       serializer=JSONSerializer).cleanup()  # expired heartbeats → failed
    host, now, failed = socket.gethostname(), time.time(), []
    for row in unfinished_scenarios(engine):
        if is_fanout(row["job_id"]):  # one job per replication: see jobs.fanout
            reason = fanout_abandoned_reason(engine, connection, row, now, GRACE_S)
        else:
            reason = abandoned_reason(row, connection, now, host)
        if reason and mark_failed(engine, row["scenario_id"], reason):
            log.warning("scenario %s failed: %s", row["scenario_id"], reason)
            failed.append(row["scenario_id"])
    return failed
