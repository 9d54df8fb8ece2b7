"""Scenarios split into one RQ job per replication, so any worker on any host can help.

A scenario with at least ``HOSPITAL_TWIN_FANOUT_REPS`` replications is stored with one
``replication_runs`` row per replication and one job each. A job claims its replication
(attempt n), runs it, and hands in only its KPIs; the hand-in that completes the set merges
them into the results JSON (:mod:`hospital_twin.store.replications`), exactly once. Failed
attempts are retried by RQ (bounded); a replication whose worker died is put back in the
queue by :func:`rescue_lost_replications`, which workers run between jobs. Replications are
pure functions of configuration, seed and index, so the merged result equals a one-process
run of the same replications.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from collections.abc import Callable
from typing import Any

from redis import Redis
from rq import Callback, Queue, Retry, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import Engine

from hospital_twin.jobs.failures import describe
from hospital_twin.jobs.memory_limit import (
    job_memory_mb,
    memory_limited,
    memory_reason,
    ran_out_of_memory,
)
from hospital_twin.jobs.options import JobOptions
from hospital_twin.jobs.processes import pid_alive
from hospital_twin.jobs.queue import scenario_queue
from hospital_twin.jobs.scenario_run import run_config
from hospital_twin.kpis import kpis_from_json, kpis_to_json, replication_kpis, results_from_kpis
from hospital_twin.model import run_replication
from hospital_twin.store import get_config_json, get_scenario, make_engine
from hospital_twin.store.replications import (
    EXHAUSTED,
    RUN,
    claim_replication,
    create_replications,
    fail_replication,
    hand_in_replication,
    list_replications,
    requeue_replication,
    running_replications,
)

log = logging.getLogger(__name__)

#: Scenario job ids of fanned-out scenarios start with this.
FANOUT_PREFIX = "fanout-"
REPLICATION_JOB = "hospital_twin.jobs.fanout.run_replication_job"
#: Attempts per replication (the first run and its retries) before the scenario fails.
MAX_ATTEMPTS = 3

#: ``enqueue(scenario_id, replication, job_id)`` puts one replication job in the queue.
Enqueue = Callable[[int, int, str], None]


def is_fanout(job_id: str | None) -> bool:
    """True for the scenario job id of a scenario split into replication jobs."""
    return bool(job_id) and job_id.startswith(FANOUT_PREFIX)


def new_fanout_job_id() -> str:
    """A scenario job id marking a fanned-out scenario."""
    return f"{FANOUT_PREFIX}{uuid.uuid4().hex}"


def replication_job_id(scenario_job_id: str, index: int) -> str:
    """A fresh RQ job id for one run of replication ``index``."""
    return f"{scenario_job_id}-rep{index}-{uuid.uuid4().hex[:8]}"


def enqueuer(queue: Queue, options: JobOptions) -> Enqueue:
    """The function that queues replication jobs with ``options``' limits and retries."""

    def enqueue(scenario_id: int, index: int, job_id: str) -> None:
        queue.enqueue(
            REPLICATION_JOB,
            kwargs={"scenario_id": scenario_id, "replication": index,
                    "db_url": options.db_url, "max_attempts": MAX_ATTEMPTS},
            job_id=job_id, job_timeout=options.job_timeout, result_ttl=options.result_ttl,
            failure_ttl=options.result_ttl, retry=Retry(max=MAX_ATTEMPTS - 1),
            description=f"scenario {scenario_id} replication {index + 1}",
            on_failure=Callback("hospital_twin.jobs.fanout.on_replication_failure"),
        )

    return enqueue


def fan_out(engine: Engine, enqueue: Enqueue, scenario_id: int, scenario_job_id: str,
            num_reps: int) -> list[str]:
    """Store the replication rows of a stored scenario and queue their jobs; returns ids."""
    job_ids = [replication_job_id(scenario_job_id, i) for i in range(num_reps)]
    create_replications(engine, scenario_id, job_ids)
    for index, job_id in enumerate(job_ids):
        enqueue(scenario_id, index, job_id)
    return job_ids


def _current_job_id() -> str | None:
    job = get_current_job()
    return job.id if job is not None else None


def run_replication_job(scenario_id: int, replication: int, db_url: str,
                        max_attempts: int = MAX_ATTEMPTS) -> dict[str, Any]:
    """Run one replication of a stored scenario and hand in its KPIs (merging if last)."""
    with memory_limited(job_memory_mb()):  # this work-horse only
        return _run_replication(scenario_id, replication, db_url, max_attempts)


def _run_replication(scenario_id: int, replication: int, db_url: str,
                     max_attempts: int) -> dict[str, Any]:
    engine = make_engine(db_url)
    try:
        claim = claim_replication(engine, scenario_id, replication, host=socket.gethostname(),
                                  pid=os.getpid(), max_attempts=max_attempts,
                                  job_id=_current_job_id())
        if claim.outcome == EXHAUSTED:
            fail_replication(engine, scenario_id, replication,
                             "no attempts left (its workers kept dying)", final=True)
        if claim.outcome != RUN:
            return {"scenario_id": scenario_id, "replication": replication,
                    "skipped": claim.outcome}
        row = get_scenario(engine, scenario_id)
        config = run_config(get_config_json(engine, scenario_id), scenario_id=scenario_id,
                            sim_hours=row["sim_hours"], num_reps=row["num_reps"],
                            seed=row["seed"], warmup_hours=row["warmup_hours"])
        kpis = kpis_to_json(replication_kpis(run_replication(config, replication)))

        def merge(texts: list[str]) -> str:
            reps = [kpis_from_json(text) for text in texts]
            return json.dumps(results_from_kpis(reps, config.model_dump(mode="json"),
                                                config.run.seed))

        outcome = hand_in_replication(engine, scenario_id, replication, kpis, merge)
        return {"scenario_id": scenario_id, "replication": replication,
                "attempt": claim.attempt, "outcome": outcome}
    finally:
        engine.dispose()


def on_replication_failure(job: Any, connection: Any, exc_type: Any, value: Any,
                           tb: Any) -> None:
    """RQ ``on_failure``: record the attempt; fail the scenario when no retry is left."""
    kwargs = job.kwargs or {}
    final = not (job.retries_left and job.retries_left > 0)
    reason = describe(exc_type, value)
    if value is not None and ran_out_of_memory(value) and job_memory_mb():
        reason = memory_reason(job_memory_mb(), reason)
    try:
        engine = make_engine(kwargs["db_url"])
        try:
            fail_replication(engine, int(kwargs["scenario_id"]), int(kwargs["replication"]),
                             reason, final=final, job_id=job.id)
        finally:
            engine.dispose()
    except Exception:  # a broken database must not take the worker down
        log.exception("could not record failed replication %s",
                                              job.id)


def rescue_lost_replications(engine: Engine, enqueue: Enqueue, host: str | None = None,
                             alive: Callable[[int], bool] | None = None) -> list[tuple[int, int]]:
    """Queue again the replications marked running here whose process has died.

    Only processes on this host can be checked directly; a worker lost on another host
    is noticed by RQ when its heartbeat expires, which retries the job.
    """
    host = host or socket.gethostname()
    alive = alive or pid_alive
    rescued = []
    for row in running_replications(engine, host):
        if row["worker_pid"] and alive(int(row["worker_pid"])):
            continue
        job_id = replication_job_id(row["job_id"].split("-rep")[0], row["replication"])
        reason = f"its worker process (pid {row['worker_pid']} on {host}) died"
        if requeue_replication(engine, row["scenario_id"], row["replication"], job_id,
                               reason):
            enqueue(row["scenario_id"], row["replication"], job_id)
            rescued.append((row["scenario_id"], row["replication"]))
    return rescued


def rescue_with(connection: Redis, options: JobOptions) -> list[tuple[int, int]]:
    """:func:`rescue_lost_replications` on the queue and database of ``options``."""
    engine = make_engine(options.db_url)
    try:
        return rescue_lost_replications(
            engine, enqueuer(scenario_queue(connection, options.queue_name), options))
    finally:
        engine.dispose()


def fanout_abandoned_reason(engine: Engine, connection: Redis, row: dict[str, Any],
                            now: float, grace: float) -> str | None:
    """Why a fanned-out scenario can no longer finish (a replication's job vanished)."""
    if now - row["created"] < grace:
        return None
    for rep in list_replications(engine, row["scenario_id"]):
        if rep["status"] in ("done", "failed") or not rep["job_id"]:
            continue
        try:
            Job.fetch(rep["job_id"], connection=connection, serializer=JSONSerializer)
        except NoSuchJobError:
            return (f"the job of replication {rep['replication'] + 1} vanished from the "
                    "queue (Redis was restarted or emptied)")
    return None
