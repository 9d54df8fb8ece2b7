"""Assemble the simulation dashboard: five tabs sharing one store/queue backend."""

from __future__ import annotations

import logging
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w

from hospital_twin.dashboards import LOADED_AT
from hospital_twin.dashboards.simulation._ui import STYLE, guarded
from hospital_twin.dashboards.simulation.backend import Backend
from hospital_twin.dashboards.simulation.compare_tab import CompareTab
from hospital_twin.dashboards.simulation.forecast_tab import ForecastTab
from hospital_twin.dashboards.simulation.jobs_tab import JobsTab
from hospital_twin.dashboards.simulation.results_tab import ResultsTab
from hospital_twin.dashboards.simulation.run_tab import RunTab
from hospital_twin.dashboards.simulation.validate_tab import ValidateTab

TITLES = ("Run", "Jobs", "Results", "Compare", "Validate", "Forecast")
RUN, JOBS, RESULTS, COMPARE, VALIDATE, FORECAST = range(6)


@dataclass
class Dashboard:
    """The dashboard's widget and its tabs (kept for callbacks and tests)."""

    widget: w.VBox
    tabs: w.Tab
    run: RunTab
    jobs: JobsTab
    results: ResultsTab
    compare: CompareTab
    validate: ValidateTab
    forecast: ForecastTab

    def _ipython_display_(self) -> None:  # pragma: no cover - display hook
        from IPython.display import display

        display(self.widget)


def _process_start() -> str:
    """When this (kernel) process started, epoch seconds, for the render benchmark.

    From the start tick in ``/proc/self/stat`` and the boot-time clock, which is exact to a
    clock tick; ``psutil``'s ``create_time`` adds the kernel's whole-second boot time and can
    be a second early.
    """
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # seconds after boot
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - started
        return f"{time.time() - age:.3f}"
    except (OSError, ValueError, IndexError, AttributeError):  # not Linux: no figure
        return ""


def build(backend: Backend | None = None, *, poll: bool = True,
          poll_interval: float = 1.0) -> Dashboard:
    """Build the dashboard; display ``build().widget`` (or the returned object)."""
    warnings.filterwarnings("ignore")  # nothing but the dashboard may appear on the page
    logging.getLogger("hospital_twin").propagate = False
    backend = backend or Backend()
    run, jobs = RunTab(backend), JobsTab(backend, poll_interval)
    results, compare = ResultsTab(backend), CompareTab(backend)
    validate = ValidateTab(backend)
    forecast = ForecastTab(backend, poll_interval)
    tabs = w.Tab(children=[run.widget, jobs.widget, results.widget, compare.widget,
                           validate.widget, forecast.widget], titles=TITLES)
    header = w.HTML(STYLE + '<h2 class="ht-title" style="margin:4px 0">Histopathology lab '
                    f'simulation</h2><span class="ht-ready" data-kernel-start="{_process_start()}"'
                    f' data-code-start="{LOADED_AT:.3f}" data-built="{time.time():.3f}"></span>')
    widget = w.VBox([header, tabs], layout=w.Layout(max_width="1260px"))
    widget.add_class("ht-dashboard")
    dashboard = Dashboard(widget, tabs, run, jobs, results, compare, validate, forecast)

    def open_job(kind: str, ids: list[int]) -> None:
        if kind == "analysis":
            tabs.selected_index = COMPARE
            compare.select(ids)
        else:
            tabs.selected_index = RESULTS
            results.show(ids[0])

    def submitted(_: Any) -> None:
        jobs.refresh()
        tabs.selected_index = JOBS

    def tab_changed(change: dict) -> None:
        if change["new"] == RESULTS:
            results.refresh()
        elif change["new"] == COMPARE:
            compare.refresh()
        elif change["new"] == JOBS:
            jobs.refresh()
        elif change["new"] == VALIDATE:
            validate.refresh()

    jobs.on_open = guarded(jobs.message)(open_job)
    run.on_submitted = submitted
    tabs.observe(guarded(jobs.message)(tab_changed), "selected_index")
    if poll:
        jobs.start_polling()  # its first refresh fills the job table
    else:
        jobs.refresh()
    return dashboard
