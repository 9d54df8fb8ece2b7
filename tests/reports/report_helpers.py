"""The reports tests' helpers: a store with finished scenarios, and reading reports back
(their plotly figures and tables)."""

from __future__ import annotations

import base64
import json
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from bs4 import BeautifulSoup

from hospital_twin.config import LabConfig
from hospital_twin.jobs.scenario_run import ScenarioRun
from hospital_twin.store import (
    NewScenario,
    create_scenarios,
    get_results,
    init_db,
    mark_running,
)

_NEW_PLOT = re.compile(r"Plotly\.newPlot\(\s*")
_DTYPES = {"f8": "<f8", "f4": "<f4", "i1": "i1", "u1": "u1", "i2": "<i2", "u2": "<u2",
           "i4": "<i4", "u4": "<u4", "i8": "<i8", "u8": "<u8"}


def plotly_figures(html: str) -> list[dict[str, Any]]:
    """Every ``Plotly.newPlot(id, data, layout, config)`` call of the page, decoded."""
    decoder = json.JSONDecoder()
    figures = []
    for match in _NEW_PLOT.finditer(html):
        pos = match.end()
        parts = []
        for _ in range(3):  # id, data, layout
            value, pos = decoder.raw_decode(html, pos)
            parts.append(value)
            pos = re.compile(r"\s*,\s*").match(html, pos).end()
        figures.append({"id": parts[0], "data": parts[1], "layout": parts[2]})
    return figures


def values(array: Any) -> list[float]:
    """A plotly data array as a list (plain list or plotly's base64 typed array)."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]),
                             dtype=_DTYPES[array["dtype"]]).tolist()
    return list(array)


def title(figure: dict[str, Any]) -> str:
    """A decoded figure's title text."""
    t = figure["layout"].get("title", {})
    return t.get("text", "") if isinstance(t, dict) else str(t)


def soup(path: Path) -> BeautifulSoup:
    """The parsed report."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def table_rows(page: BeautifulSoup, css: str, scenario: str | None = None) -> dict[str, Any]:
    """``data-key`` → row of the first table with class ``css`` (and ``data-scenario``)."""
    tables = page.select(f"table.{css}")
    if scenario is not None:
        tables = [t for t in tables if t.get("data-scenario") == scenario]
    assert tables, f"no table.{css} for {scenario!r}"
    return {tr["data-key"]: tr for tr in tables[0].select("tbody tr")}


HOURS = 168.0
REPS = 2


@dataclass
class Stored:
    """A database with one finished scenario and one finished two-scenario analysis."""

    db_path: Path
    db_url: str
    scenario_id: int
    analysis_id: int
    analysis_scenarios: list[int]
    names: dict[int, str]

    def results(self, scenario_id: int) -> dict:
        """The results JSON as stored."""
        engine = init_db(self.db_url)
        try:
            return json.loads(get_results(engine, scenario_id))
        finally:
            engine.dispose()


def more_staff(config: LabConfig) -> LabConfig:
    """The lab with half as many more BMS staff (a change an analysis compares)."""
    resources = dict(config.resources)
    resources["BMS"] = resources["BMS"].scaled(1.5)
    return config.model_copy(update={"resources": resources})


def store_and_run(db_url: str, configs: list[tuple[str, LabConfig]], *, seed: int,
                  analysis: bool) -> tuple[int | None, list[int]]:
    """Store scenarios as the API does, then run them as the scenario notebook does."""
    engine = init_db(db_url)
    new = [NewScenario(config_json=c.model_dump_json(), num_reps=REPS, sim_hours=HOURS,
                       warmup_hours=24.0, seed=seed, job_id=f"test-{name}", name=name)
           for name, c in configs]
    analysis_id, ids = create_scenarios(engine, new, analysis=analysis,
                                        analysis_name="more BMS" if analysis else None)
    for sid, item in zip(ids, new, strict=True):
        assert mark_running(engine, sid, socket.gethostname(), os.getpid())
        run = ScenarioRun(sid, item.config_json, HOURS, REPS, seed, 24.0, db_url)
        run.finish([run.replication(i) for i in range(REPS)])
    engine.dispose()
    return analysis_id, ids
