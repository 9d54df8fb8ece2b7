"""Scenario rows: create, follow (running → progress → done/failed), read and delete.

Every write is one transaction. A write that checks a scenario's status before changing
it either does both in one ``UPDATE … WHERE status IN (queued, running)`` or first locks the
scenario's rows with ``SELECT … FOR UPDATE`` (:func:`lock_unfinished`; SQLite's ``BEGIN
IMMEDIATE`` already serialises writers), so on PostgreSQL a late progress report can never
undo a finished scenario. **Lock order:** a transaction that locks both rows of a scenario
locks ``scenarios`` before ``scenario_info`` (as ``DELETE`` with its cascade does), so
writers never deadlock.

Reads join the seed's ``scenarios`` row with its ``scenario_info`` row (outer join: rows
written by a seed client have none and count as queued, or done once ``completed`` is set).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, case, func, select

from hospital_twin.store.engine import reading, writing
from hospital_twin.store.ids import storable_id
from hospital_twin.store.schema import (
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    UNFINISHED,
    analysis_info,
    multis,
    scenario_info,
    scenarios,
)


@dataclass(frozen=True)
class NewScenario:
    """What is stored for a scenario when it is submitted."""

    config_json: str
    num_reps: int
    sim_hours: float
    warmup_hours: float
    seed: int
    job_id: str
    name: str | None = None


_status = func.coalesce(
    scenario_info.c.status,
    case((scenarios.c.completed.is_(None), QUEUED), else_=DONE),
).label("status")

_COLUMNS = [
    scenarios.c.scenario_id, scenarios.c.analysis_id, scenarios.c.created,
    scenarios.c.completed, scenarios.c.num_reps, scenarios.c.done_reps, _status,
    scenario_info.c.name, scenario_info.c.error, scenario_info.c.seed,
    scenario_info.c.sim_hours, scenario_info.c.warmup_hours, scenario_info.c.job_id,
    scenario_info.c.started, scenario_info.c.worker_host, scenario_info.c.worker_pid,
    scenario_info.c.notebook_path, scenario_info.c.report_path,
]
_JOINED = scenarios.outerjoin(scenario_info,
                              scenario_info.c.scenario_id == scenarios.c.scenario_id)


def _select():
    return select(*_COLUMNS).select_from(_JOINED)


def create_scenarios(engine: Engine, new: list[NewScenario], *, analysis: bool = False,
                     analysis_name: str | None = None) -> tuple[int | None, list[int]]:
    """Store scenarios (status queued) and, if ``analysis``, their ``multis`` row: one
    transaction. Returns ``(analysis_id, scenario_ids)``."""
    created = time.time()
    ids: list[int] = []
    with writing(engine) as conn:
        analysis_id = None
        if analysis:
            analysis_id = conn.execute(multis.insert()).inserted_primary_key[0]
            conn.execute(analysis_info.insert().values(
                analysis_id=analysis_id, name=analysis_name, created=created,
                seed=new[0].seed if new else None))
        for item in new:
            sid = conn.execute(scenarios.insert().values(
                analysis_id=analysis_id, created=created, num_reps=item.num_reps,
                done_reps=0)).inserted_primary_key[0]
            conn.execute(scenario_info.insert().values(
                scenario_id=sid, name=item.name, status=QUEUED, config_json=item.config_json,
                seed=item.seed, sim_hours=item.sim_hours, warmup_hours=item.warmup_hours,
                job_id=item.job_id))
            ids.append(sid)
    return analysis_id, ids


def delete_scenarios(engine: Engine, scenario_ids: list[int],
                     analysis_id: int | None = None) -> int:
    """Delete scenarios (their info rows cascade) and an analysis; returns rows deleted."""
    with writing(engine) as conn:
        n = conn.execute(scenarios.delete().where(
            scenarios.c.scenario_id.in_(scenario_ids))).rowcount
        if analysis_id is not None:
            conn.execute(multis.delete().where(multis.c.analysis_id == analysis_id))
    return n


def _unfinished(scenario_id: int):
    return and_(scenario_info.c.scenario_id == scenario_id,
                scenario_info.c.status.in_(UNFINISHED))


def lock_unfinished(conn: Connection, scenario_id: int) -> bool:
    """Lock a scenario's ``scenarios`` then ``scenario_info`` row (``FOR UPDATE``; no-op on
    SQLite) inside a write transaction; True if it exists and is queued or running."""
    conn.execute(select(scenarios.c.scenario_id)
                 .where(scenarios.c.scenario_id == scenario_id).with_for_update())
    return conn.execute(select(scenario_info.c.scenario_id)
                        .where(_unfinished(scenario_id)).with_for_update()).first() is not None


def mark_running(engine: Engine, scenario_id: int, host: str, pid: int) -> bool:
    """Record that a job started the scenario; False if it is gone or already finished."""
    with writing(engine) as conn:
        return conn.execute(scenario_info.update().where(_unfinished(scenario_id)).values(
            status=RUNNING, started=time.time(), worker_host=host, worker_pid=pid,
            error=None)).rowcount == 1


def record_progress(engine: Engine, scenario_id: int, done_reps: int) -> bool:
    """Set ``done_reps`` (live progress); False if the scenario is gone or finished."""
    with writing(engine) as conn:
        if not lock_unfinished(conn, scenario_id):
            return False
        conn.execute(scenarios.update().where(scenarios.c.scenario_id == scenario_id)
                     .values(done_reps=done_reps))
        return True


def store_results(engine: Engine, scenario_id: int, results_json: str) -> bool:
    """Store the results JSON, ``completed`` and status done in one transaction."""
    with writing(engine) as conn:
        if not lock_unfinished(conn, scenario_id):
            return False
        conn.execute(scenario_info.update()
                     .where(scenario_info.c.scenario_id == scenario_id)
                     .values(status=DONE, error=None))
        conn.execute(scenarios.update().where(scenarios.c.scenario_id == scenario_id).values(
            results=results_json, completed=time.time(), done_reps=scenarios.c.num_reps))
        return True


def mark_failed(engine: Engine, scenario_id: int, error: str) -> bool:
    """Mark an unfinished scenario failed with ``error``; False if it is done or gone."""
    with writing(engine) as conn:
        return conn.execute(scenario_info.update().where(_unfinished(scenario_id)).values(
            status=FAILED, error=error)).rowcount == 1


def set_report(engine: Engine, scenario_id: int, notebook_path: str | None,
               report_path: str | None) -> None:
    """Record where the executed notebook and its HTML rendering are."""
    values: dict[str, Any] = {}
    if notebook_path is not None:
        values["notebook_path"] = notebook_path
    if report_path is not None:
        values["report_path"] = report_path
    if values:
        with writing(engine) as conn:
            conn.execute(scenario_info.update()
                         .where(scenario_info.c.scenario_id == scenario_id).values(**values))


def get_scenario(engine: Engine, scenario_id: int) -> dict[str, Any] | None:
    """One scenario (seed columns + info, without results), or None (also for an id no
    row can have, such as one beyond 64 bits)."""
    if not storable_id(scenario_id):
        return None
    with reading(engine) as conn:
        row = conn.execute(_select().where(scenarios.c.scenario_id == scenario_id)).first()
    return dict(row._mapping) if row else None


def list_scenarios(engine: Engine, analysis_id: int | None = None) -> list[dict[str, Any]]:
    """All scenarios (or one analysis's), oldest first."""
    query = _select().order_by(scenarios.c.scenario_id)
    if analysis_id is not None:
        query = query.where(scenarios.c.analysis_id == analysis_id)
    with reading(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def unfinished_scenarios(engine: Engine) -> list[dict[str, Any]]:
    """Scenarios a job should still be working on (queued or running)."""
    query = _select().where(scenario_info.c.status.in_(UNFINISHED))
    with reading(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def get_results(engine: Engine, scenario_id: int) -> str | None:
    """The stored results JSON text (None until done)."""
    if not storable_id(scenario_id):
        return None
    with reading(engine) as conn:
        return conn.execute(select(scenarios.c.results)
                            .where(scenarios.c.scenario_id == scenario_id)).scalar()


def get_config_json(engine: Engine, scenario_id: int) -> str | None:
    """The configuration JSON a scenario was submitted with."""
    if not storable_id(scenario_id):
        return None
    with reading(engine) as conn:
        return conn.execute(select(scenario_info.c.config_json)
                            .where(scenario_info.c.scenario_id == scenario_id)).scalar()
