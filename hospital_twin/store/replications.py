"""Replication rows of a scenario split into replication jobs (fan-out across workers).

Each replication is claimed, run and handed in by whichever worker takes its job. Handing
in locks the scenario's row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` serialises writers anyway), counts the replications done and, for the
one that completes the set, merges the results in the same transaction: the merge happens
exactly once even when two replications finish at the same moment, and a replication run
twice (a retry after a lost worker) is counted once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, func, select

from hospital_twin.store.engine import reading, writing
from hospital_twin.store.scenarios import lock_unfinished
from hospital_twin.store.schema import (
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    UNFINISHED,
    replication_runs,
    scenario_info,
    scenarios,
)

#: Outcomes of :func:`claim_replication` and :func:`hand_in_replication`.
RUN, GONE, ALREADY_DONE, EXHAUSTED = "run", "gone", "already done", "exhausted"
SUPERSEDED = "superseded by a newer job"
STORED, MERGED = "stored", "merged"


@dataclass(frozen=True)
class Claim:
    """What a job may do with a replication, and on which attempt."""

    outcome: str
    attempt: int = 0


def create_replications(engine: Engine, scenario_id: int, job_ids: list[str]) -> None:
    """Rows for replications ``0 … len(job_ids)-1`` (queued), each with its job's id."""
    with writing(engine) as conn:
        conn.execute(replication_runs.insert(), [
            {"scenario_id": scenario_id, "replication": i, "status": QUEUED, "attempts": 0,
             "job_id": job_id} for i, job_id in enumerate(job_ids)])


def _row(scenario_id: int, index: int):
    return and_(replication_runs.c.scenario_id == scenario_id,
                replication_runs.c.replication == index)


def claim_replication(engine: Engine, scenario_id: int, index: int, *, host: str, pid: int,
                      max_attempts: int, job_id: str | None = None) -> Claim:
    """Start attempt n+1 of a replication, unless it is done, gone or out of attempts.

    A job whose id is no longer the row's (the replication was queued again under a new
    job after its worker died) stands down. The first claim also marks the scenario running.
    """
    now = time.time()
    with writing(engine) as conn:
        if not lock_unfinished(conn, scenario_id):
            return Claim(GONE)
        row = conn.execute(select(replication_runs.c.status, replication_runs.c.attempts,
                                  replication_runs.c.job_id)
                           .where(_row(scenario_id, index))).first()
        if row is None:
            return Claim(GONE)
        if job_id is not None and row.job_id != job_id:
            return Claim(SUPERSEDED, row.attempts)
        if row.status == DONE:
            return Claim(ALREADY_DONE, row.attempts)
        if row.attempts >= max_attempts:
            return Claim(EXHAUSTED, row.attempts)
        attempt = row.attempts + 1
        conn.execute(replication_runs.update().where(_row(scenario_id, index)).values(
            status=RUNNING, attempts=attempt, worker_host=host, worker_pid=pid, started=now))
        conn.execute(scenario_info.update().where(and_(
            scenario_info.c.scenario_id == scenario_id, scenario_info.c.status == QUEUED))
            .values(status=RUNNING, started=now, worker_host=host, worker_pid=pid, error=None))
        return Claim(RUN, attempt)


def hand_in_replication(engine: Engine, scenario_id: int, index: int, kpis_json: str,
                        merge: Callable[[list[str]], str]) -> str:
    """Store one replication's KPIs; the hand-in that completes the set merges them.

    ``merge`` gets every replication's KPI text in replication order and returns the
    results JSON, which is stored with status done in the same transaction.
    """
    with writing(engine) as conn:
        if not lock_unfinished(conn, scenario_id):
            return GONE
        status = conn.execute(select(replication_runs.c.status)
                              .where(_row(scenario_id, index))).scalar()
        if status is None:
            return GONE
        if status == DONE:
            return ALREADY_DONE
        conn.execute(replication_runs.update().where(_row(scenario_id, index)).values(
            status=DONE, kpis=kpis_json, finished=time.time(), error=None))
        num_reps = conn.execute(select(scenarios.c.num_reps)
                                .where(scenarios.c.scenario_id == scenario_id)).scalar()
        done = conn.execute(select(func.count()).select_from(replication_runs).where(and_(
            replication_runs.c.scenario_id == scenario_id,
            replication_runs.c.status == DONE))).scalar()
        if done < num_reps:
            # progress reaches num_reps only with the results, as for a single job
            conn.execute(scenarios.update().where(scenarios.c.scenario_id == scenario_id)
                         .values(done_reps=done))
            return STORED
        texts = conn.execute(select(replication_runs.c.kpis)
                             .where(replication_runs.c.scenario_id == scenario_id)
                             .order_by(replication_runs.c.replication)).scalars().all()
        results_json = merge(list(texts))
        conn.execute(scenario_info.update().where(scenario_info.c.scenario_id == scenario_id)
                     .values(status=DONE, error=None))
        conn.execute(scenarios.update().where(scenarios.c.scenario_id == scenario_id).values(
            results=results_json, completed=time.time(), done_reps=num_reps))
        return MERGED


def fail_replication(engine: Engine, scenario_id: int, index: int, error: str, *,
                     final: bool, job_id: str | None = None) -> bool:
    """Record a failed attempt; with ``final`` also fail the scenario (True if it was).

    A failure of a superseded job (``job_id`` no longer the row's) is ignored.
    """
    with writing(engine) as conn:
        if not lock_unfinished(conn, scenario_id):
            return False
        row = conn.execute(select(replication_runs.c.attempts, replication_runs.c.job_id)
                           .where(_row(scenario_id, index))).first()
        if row is None or (job_id is not None and row.job_id != job_id):
            return False
        attempts = row.attempts
        conn.execute(replication_runs.update().where(and_(
            _row(scenario_id, index), replication_runs.c.status != DONE))
            .values(status=FAILED if final else QUEUED, error=error))
        if not final:
            return False
        reason = (f"replication {index + 1} failed after {attempts or 0} attempt(s): "
                  f"{error}")
        conn.execute(scenario_info.update().where(scenario_info.c.scenario_id == scenario_id)
                     .values(status=FAILED, error=reason))
        return True


def requeue_replication(engine: Engine, scenario_id: int, index: int, job_id: str,
                        reason: str) -> bool:
    """Put a replication whose process died back in the queue under a new job id."""
    with writing(engine) as conn:
        if not lock_unfinished(conn, scenario_id):
            return False
        return conn.execute(replication_runs.update().where(and_(
            _row(scenario_id, index), replication_runs.c.status == RUNNING)).values(
            status=QUEUED, job_id=job_id, error=reason)).rowcount == 1


def list_replications(engine: Engine, scenario_id: int) -> list[dict[str, Any]]:
    """A scenario's replication rows (without KPIs), in replication order."""
    columns = [c for c in replication_runs.c if c.name != "kpis"]
    with reading(engine) as conn:
        rows = conn.execute(select(*columns)
                            .where(replication_runs.c.scenario_id == scenario_id)
                            .order_by(replication_runs.c.replication))
        return [dict(r._mapping) for r in rows]


def running_replications(engine: Engine, host: str | None = None) -> list[dict[str, Any]]:
    """Replications marked running in unfinished scenarios (on ``host`` if given)."""
    query = (select(replication_runs.c.scenario_id, replication_runs.c.replication,
                    replication_runs.c.attempts, replication_runs.c.worker_host,
                    replication_runs.c.worker_pid, replication_runs.c.job_id)
             .select_from(replication_runs.join(
                 scenario_info, scenario_info.c.scenario_id == replication_runs.c.scenario_id))
             .where(replication_runs.c.status == RUNNING,
                    scenario_info.c.status.in_(UNFINISHED)))
    if host is not None:
        query = query.where(replication_runs.c.worker_host == host)
    with reading(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
