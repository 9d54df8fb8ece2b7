"""The status objects clients see (the seed backend's shapes plus name/status/error).

``progress`` is ``done_reps / num_reps`` and exactly 1.0 once a scenario is done;
``completed`` and ``analysis_id`` appear only when set, as in the seed backend.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from hospital_twin.store.scenarios import get_scenario, list_scenarios
from hospital_twin.store.schema import DONE

#: Highest progress shown before a scenario is done.
UNFINISHED_MAX = 0.99

_EXTRA = ("name", "status", "error", "done_reps", "seed", "sim_hours", "warmup_hours",
          "started")


def as_view(row: dict[str, Any]) -> dict[str, Any]:
    """A scenario row as the status object of ``/scenarios`` and ``/scenarios/{id}/status``."""
    num = row["num_reps"] or 0
    progress = 1.0 if row["status"] == DONE else (row["done_reps"] / num if num else 0.0)
    if row["status"] != DONE:
        progress = min(progress, UNFINISHED_MAX)  # 1 means "results ready" to clients
    out: dict[str, Any] = {"scenario_id": row["scenario_id"], "num_reps": num,
                           "progress": float(progress), "created": row["created"]}
    if row["completed"] is not None:
        out["completed"] = row["completed"]
    if row["analysis_id"] is not None:
        out["analysis_id"] = row["analysis_id"]
    out.update({k: row.get(k) for k in _EXTRA})
    out["has_report"] = bool(row.get("notebook_path"))
    return out


def scenario_view(engine: Engine, scenario_id: int) -> dict[str, Any] | None:
    """One scenario's status object, or None."""
    row = get_scenario(engine, scenario_id)
    return as_view(row) if row else None


def scenario_views(engine: Engine) -> list[dict[str, Any]]:
    """Every scenario's status object, oldest first."""
    return [as_view(r) for r in list_scenarios(engine)]
