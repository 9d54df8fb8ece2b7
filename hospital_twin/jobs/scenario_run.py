"""What the scenario notebook does, as package functions so its cells stay thin.

The notebook opens a :class:`ScenarioRun`, calls :meth:`ScenarioRun.replication` for each
replication (each call records ``done_reps``: live progress) and :meth:`ScenarioRun.finish`,
which builds the results JSON (means and 95 % bands), stores it with ``completed`` and
status done in one transaction and writes a short summary to ``result_path``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hospital_twin.config import LabConfig, config_from_json
from hospital_twin.kpis import build_results
from hospital_twin.model import run_replication
from hospital_twin.model.output import ReplicationOutput
from hospital_twin.store import make_engine, record_progress, store_results


class ScenarioGone(RuntimeError):
    """The scenario was deleted or already finished/failed while the notebook ran."""


def run_config(config_json: str, *, scenario_id: int, sim_hours: float, num_reps: int,
               seed: int, warmup_hours: float) -> LabConfig:
    """A stored scenario's configuration with its run settings (as every job runs it)."""
    return config_from_json(config_json, source=f"scenario {scenario_id}").with_run(
        sim_hours=float(sim_hours), replications=int(num_reps), seed=int(seed),
        warmup_hours=float(warmup_hours))


class ScenarioRun:
    """One scenario's replications, reported to the database as they finish."""

    def __init__(self, scenario_id: int, config_json: str, sim_hours: float, num_reps: int,
                 seed: int, warmup_hours: float, db_url: str) -> None:
        self.scenario_id = int(scenario_id)
        self.num_reps = int(num_reps)
        self.config = run_config(config_json, scenario_id=self.scenario_id,
                                 sim_hours=sim_hours, num_reps=self.num_reps, seed=seed,
                                 warmup_hours=warmup_hours)
        self.engine = make_engine(db_url)

    def replication(self, index: int) -> ReplicationOutput:
        """Run replication ``index`` (a pure function of config, seed and index); record it."""
        output = run_replication(self.config, index)
        # the last replication is counted by finish(), with the results: progress reaches
        # 1 only when the results can be fetched
        if not record_progress(self.engine, self.scenario_id, min(index + 1, self.num_reps - 1)):
            raise ScenarioGone(f"scenario {self.scenario_id} was deleted or stopped")
        return output

    def finish(self, outputs: list[ReplicationOutput], result_path: str = "") -> dict[str, Any]:
        """Build and store the results JSON; write a summary to ``result_path``."""
        results = build_results(outputs, self.config.model_dump(mode="json"),
                                self.config.run.seed)
        if not store_results(self.engine, self.scenario_id, json.dumps(results)):
            raise ScenarioGone(f"scenario {self.scenario_id} was deleted or stopped")
        summary = {"scenario_id": self.scenario_id, "replications": len(outputs),
                   "overall_tat": results.get("overall_tat"), "lab_tat": results.get("lab_tat"),
                   "seed": self.config.run.seed}
        if result_path:
            Path(result_path).write_text(json.dumps(summary))
        self.engine.dispose()
        return results


def headline_lines(results: dict[str, Any]) -> list[str]:
    """Readable headline KPIs with their 95 % bands (for the notebook's report)."""

    def fmt(key: str, unit: str) -> str:
        mean, low, high = results.get(key), results.get(f"{key}_min"), results.get(f"{key}_max")
        if mean is None:
            return f"{key}: no specimen finished in the run"
        band = f" (95 % CI {low:.1f} to {high:.1f})" if low is not None else ""
        return f"{key}: {mean:.1f} {unit}{band}"

    lines = [fmt("overall_tat", "h"), fmt("lab_tat", "h")]
    for days, share in (results.get("progress") or {}).items():
        if share is not None:
            lines.append(f"reported within {days} days: {100 * share:.1f} %")
    return lines
