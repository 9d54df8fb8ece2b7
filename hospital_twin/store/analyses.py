"""Multi-scenario analyses: one ``multis`` row whose scenarios share a seed.

An analysis is done when all its scenarios are, failed when any failed; its progress is
Σ done_reps / Σ num_reps (exactly 1 when done), ``created`` its own creation time and
``completed`` the last scenario's completion.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from hospital_twin.store.engine import reading
from hospital_twin.store.ids import storable_id
from hospital_twin.store.scenarios import list_scenarios
from hospital_twin.store.schema import DONE, FAILED, QUEUED, RUNNING, analysis_info, multis
from hospital_twin.store.views import UNFINISHED_MAX


def summarise(analysis_id: int, info: dict[str, Any] | None,
              members: list[dict[str, Any]]) -> dict[str, Any]:
    """The status object of one analysis from its info row and member scenarios."""
    statuses = [m["status"] for m in members]
    if members and all(s == DONE for s in statuses):
        status = DONE
    elif FAILED in statuses:
        status = FAILED
    elif RUNNING in statuses or any(m["done_reps"] for m in members):
        status = RUNNING
    else:
        status = QUEUED
    total = sum(m["num_reps"] for m in members)
    done = sum(m["done_reps"] for m in members)
    progress = 1.0 if status == DONE else min(done / total if total else 0.0, UNFINISHED_MAX)
    created = (info or {}).get("created")
    if created is None:
        created = min((m["created"] for m in members), default=0.0)
    out: dict[str, Any] = {
        "analysis_id": analysis_id,
        "scenario_ids": [m["scenario_id"] for m in members],
        "created": created,
        "progress": progress,
        "name": (info or {}).get("name"),
        "status": status,
    }
    if status == DONE:
        out["completed"] = max(m["completed"] for m in members)
    errors = [f"scenario {m['scenario_id']}: {m['error']}" for m in members
              if m["status"] == FAILED]
    out["error"] = "; ".join(errors) if errors else None
    return out


def get_analysis(engine: Engine, analysis_id: int) -> dict[str, Any] | None:
    """One analysis's status object, or None if unknown (or beyond 64 bits)."""
    if not storable_id(analysis_id):
        return None
    with reading(engine) as conn:
        exists = conn.execute(select(multis.c.analysis_id)
                              .where(multis.c.analysis_id == analysis_id)).first()
        info = conn.execute(select(analysis_info)
                            .where(analysis_info.c.analysis_id == analysis_id)).first()
    if exists is None:
        return None
    return summarise(analysis_id, dict(info._mapping) if info else None,
                     list_scenarios(engine, analysis_id))


def list_analyses(engine: Engine) -> list[dict[str, Any]]:
    """Every analysis's status object, oldest first."""
    with reading(engine) as conn:
        ids = list(conn.execute(select(multis.c.analysis_id).order_by(multis.c.analysis_id))
                   .scalars())
        infos = {r.analysis_id: dict(r._mapping) for r in conn.execute(select(analysis_info))}
    members: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for row in list_scenarios(engine):
        if row["analysis_id"] in members:
            members[row["analysis_id"]].append(row)
    return [summarise(i, infos.get(i), members[i]) for i in ids]
