"""What a report shows, as data: the results to report, the configuration summary, the
headline KPIs with their 95 % intervals, the RCPath verdicts, the key charts and, for an
analysis, the paired differences. :mod:`hospital_twin.reports.sections` displays them.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from hospital_twin import charts
from hospital_twin.reports.request import (
    HOURS_PER_WEEK,
    ReportNotFound,
    ReportNotReady,
    ReportRequest,
)


@dataclass
class ReportData:
    """The results a report is about, by display name (one entry unless an analysis)."""

    kind: str
    title: str
    source: str
    scenarios: dict[str, dict[str, Any]]
    generated: float = field(default_factory=time.time)

    @property
    def baseline(self) -> str:
        """The first scenario: what an analysis's differences are measured against."""
        return next(iter(self.scenarios))

    @property
    def first(self) -> dict[str, Any]:
        """The first (or only) scenario's results."""
        return self.scenarios[self.baseline]


def _done_results(engine, scenario_id: int) -> dict[str, Any]:
    from hospital_twin.store import DONE, FAILED, get_results, get_scenario

    row = get_scenario(engine, scenario_id)
    if row is None:
        raise ReportNotFound(f"unknown scenario {scenario_id}")
    if row["status"] == FAILED:
        raise ReportNotReady(f"scenario {scenario_id} failed: {row['error']}")
    text = get_results(engine, scenario_id)
    if row["status"] != DONE or not text:
        raise ReportNotReady(f"scenario {scenario_id} is not finished yet ({row['status']})")
    return json.loads(text)


def _label(row: dict[str, Any]) -> str:
    sid = row["scenario_id"]
    return f"{sid}: {row['name']}" if row.get("name") else f"scenario {sid}"


def _from_store(scenario_id: int, analysis_id: int, db_url: str) -> ReportData:
    from hospital_twin.store import get_analysis, get_scenario, make_engine

    engine = make_engine(db_url)
    try:
        if scenario_id:
            row = get_scenario(engine, scenario_id)
            results = _done_results(engine, scenario_id)
            name = _label(row)
            return ReportData("scenario", f"Scenario report: {name}",
                              f"stored scenario {scenario_id}", {name: results})
        status = get_analysis(engine, analysis_id)
        if status is None:
            raise ReportNotFound(f"unknown analysis {analysis_id}")
        if not status["scenario_ids"]:
            raise ReportNotReady(f"analysis {analysis_id} has no scenarios")
        scenarios = {}
        for sid in status["scenario_ids"]:
            scenarios[_label(get_scenario(engine, sid))] = _done_results(engine, sid)
        name = f"analysis {analysis_id}" + (f" ({status['name']})" if status["name"] else "")
        return ReportData("analysis", f"Analysis report: {name}",
                          f"stored analysis {analysis_id} of {len(scenarios)} scenarios",
                          scenarios)
    finally:
        engine.dispose()


def run_config(request: ReportRequest) -> ReportData:
    """Run a configuration file's replications in this process and report them."""
    from hospital_twin.kpis import build_results
    from hospital_twin.model import run_replications

    config = request.run_config()
    outputs = run_replications(config, config.run.replications, workers=1)
    results = build_results(outputs, config.model_dump(mode="json"), config.run.seed)
    name = request.stem.removeprefix("config-")
    return ReportData("config", f"Configuration report: {name}",
                      f"configuration file {request.config_path}", {name: results})


def load_report_data(*, scenario_id: int | None = 0, analysis_id: int | None = 0,
                     config_path: str | None = "", weeks: float = 1.0, reps: int = 2,
                     seed: int = 0, warmup_hours: float = 0.0, db_url: str = "") -> ReportData:
    """The data of one report (the notebook's parameters, 0/"" meaning "not given")."""
    request = ReportRequest(scenario_id=scenario_id or None, analysis_id=analysis_id or None,
                            config_path=config_path or None, weeks=weeks, reps=reps,
                            seed=seed, warmup_hours=warmup_hours, db_url=db_url).resolved()
    if request.kind == "config":
        return run_config(request)
    return _from_store(request.scenario_id or 0, request.analysis_id or 0, request.db_url)


# -- tables ---------------------------------------------------------------------------
def config_summary(results: dict[str, Any]) -> list[tuple[str, str]]:
    """(item, value) rows: run settings, arrivals and weekly rostered hours per resource."""
    run = results.get("run") or {}
    weeks = run.get("sim_hours", 0) / HOURS_PER_WEEK
    rows = [
        ("Simulated time", f"{weeks:g} week{'' if weeks == 1 else 's'} "
                           f"({run.get('sim_hours', 0):g} h)"),
        ("Warm-up excluded", f"{run.get('warmup_hours', 0):g} h"),
        ("Replications", str(run.get("replications", ""))),
        ("Seed", str(results.get("seed", ""))),
        ("Model version", str(results.get("version", ""))),
    ]
    config = results.get("config")
    if not config:
        return rows + [("Configuration", "not stored with these results")]
    from hospital_twin.config import LabConfig

    lab = LabConfig.model_validate(config)
    weekly = lab.expected_weekly_arrivals()
    rows += [("Workbook layout", lab.layout),
             ("Cancer specimens per week", f"{weekly['cancer']:.0f}"),
             ("Non-cancer specimens per week", f"{weekly['noncancer']:.0f}")]
    for name, schedule in lab.resources.items():
        rows.append((f"{name}: rostered unit-hours per week",
                     f"{sum(schedule.weekly_capacity()) / 2:g}"))
    return rows


def headline_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Headline KPIs: mean and 95 % CI (None bounds with one replication). Kaplan–Meier
    turnaround first (every specimen), then the completed-only figures, labelled so."""
    rows = [{"key": c["key"], "measure": f"{c['label']} (Kaplan–Meier)", "unit": "h",
             "mean": c["mean"], "low": c["low"], "high": c["high"]}
            for c in charts.km_cards(results)]
    completed_only = " (completed specimens only)" if rows else ""
    rows += [{"key": c["key"], "measure": c["label"] + completed_only, "unit": "h",
              "mean": c["mean"], "low": c["low"], "high": c["high"]}
             for c in charts.tat_cards(results)]
    percentiles = (results.get("tat_percentiles") or {}).get("overall") or {}
    for q, est in percentiles.items():
        rows.append({"key": f"tat_p{q}", "measure": f"Overall turnaround, {q}th percentile",
                     "unit": "h", "mean": est["mean"], "low": est["min"], "high": est["max"]})
    total = ((results.get("specimens") or {}).get("total")) or {}
    for part, label in (("arrived", "Specimens arrived"), ("completed", "Specimens reported")):
        if part in total:
            est = total[part]
            rows.append({"key": f"specimens_{part}", "measure": label, "unit": "",
                         "mean": est["mean"], "low": est["min"], "high": est["max"]})
    return rows


def verdict_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The RCPath targets with share, CI, target and verdict (see ``charts.rcpath_verdicts``),
    completed specimens only."""
    return charts.rcpath_verdicts(results)


def km_verdict_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The RCPath targets on Kaplan–Meier shares (every specimen); empty without ``tat_km``."""
    return charts.rcpath_verdicts(results, km=True) if results.get("tat_km") else []


def differences(data: ReportData) -> pd.DataFrame:
    """Paired differences of every scenario against the first (empty unless an analysis)."""
    if len(data.scenarios) < 2:
        return pd.DataFrame()
    return charts.differences_table(data.scenarios, data.baseline, include_utilisation=True)


# -- charts ---------------------------------------------------------------------------
def key_figures(data: ReportData) -> dict[str, go.Figure]:
    """The report's charts by heading, built with :mod:`hospital_twin.charts`."""
    if len(data.scenarios) > 1:
        return {
            "Turnaround time by scenario": charts.tat_comparison_figure(data.scenarios),
            "Utilisation by scenario": charts.utilisation_comparison_figure(data.scenarios),
        }
    results = data.first
    return {
        "Turnaround time distribution": charts.tat_histogram_figure(results),
        "Where the time goes": charts.tat_by_stage_figure(results),
        "How busy each resource is": charts.utilisation_figure(results),
        "Work waiting for each resource": charts.queue_length_figure(results),
        "Work in progress over time": charts.wip_figure(results),
    } | ({"How machines spend their time": charts.machine_time_figure(results)}
         if results.get("machine_time") else {})
