"""Forecast tab: upload the lab's snapshot, queue a forecast, watch it, read it by date.

The forecast runs as a queued job (the same job as ``POST /forecasts``: the worker executes
``notebooks/forecast.ipynb``); a :class:`~hospital_twin.dashboards.polling.Poller` watches
it and draws the result: the headline (when the backlog is cleared), the early warnings and
four charts with dates on their axes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ipywidgets as w

from hospital_twin.config import ConfigError, LabConfig, config_from_json, default_config
from hospital_twin.dashboards.polling import Poller
from hospital_twin.dashboards.simulation._ui import MessageBox, button, esc, figure_widget, guarded
from hospital_twin.dashboards.simulation.backend import Backend
from hospital_twin.forecast.jobs import ForecastInputs
from hospital_twin.forecast.run import dated_config
from hospital_twin.state.snapshot import read_snapshot

_LABEL = {"description_width": "200px"}


def next_monday(today: dt.date | None = None) -> dt.date:
    """The coming Monday (today if it is one): a forecast's default start."""
    today = today or dt.date.today()
    return today + dt.timedelta(days=(7 - today.weekday()) % 7)


def forecast_inputs(config_file: dict | None, state_file: dict | None, start: dt.date | None,
                    days: int, reps: int) -> ForecastInputs:
    """Checked inputs from the uploads (``{"name", "content"}``; None: the bundled
    configuration / an empty lab); ValueError with every problem of both files."""
    problems: list[str] = []
    if start is None:
        problems.append("Choose the snapshot's date (From).")
    when = dt.datetime.combine(start or dt.date.today(), dt.time(0, 0))
    config: LabConfig | None = default_config()
    if config_file is not None:
        name, data = config_file["name"], bytes(config_file["content"])
        try:
            if name.lower().endswith(".json"):
                config = config_from_json(data, source=name)
            else:
                from hospital_twin.config.workbook import read_workbook

                config = read_workbook(data, name=name)
        except ConfigError as exc:
            problems.append(exc.render())
            config = None
    state = []
    if state_file is not None:
        try:
            state = read_snapshot(bytes(state_file["content"]), start=when,
                                  name=state_file["name"])
        except ConfigError as exc:
            problems.append(exc.render())
    if problems:
        raise ValueError("\n".join(problems))
    dated_config(config, when, days, reps)  # a calendar that cannot start there raises
    return ForecastInputs(config, state, when, days, reps)


def headline(result: dict) -> str:
    """The forecast's answer in one sentence."""
    cleared = result["backlog_cleared"]
    if cleared["date"] is None:
        return (f"The backlog is not back to its steady level by {result['dates'][-1]} "
                f"(end of the {result['days']}-day forecast).")
    high = cleared["high"] or f"after {result['dates'][-1]}"
    return (f"Backlog cleared by {cleared['date']} (95 % interval {cleared['low']} to "
            f"{high}); {result['snapshot_specimens']:,} specimens in the lab on "
            f"{result['dates'][0]}, {result['replications']} replications.")


class ForecastTab:
    """Upload a snapshot (and optionally a configuration), choose dates, forecast."""

    def __init__(self, backend: Backend, poll_interval: float = 1.0) -> None:
        self.backend = backend
        self.forecast_id: str | None = None
        self.summary = ""
        self.result: dict | None = None
        self.message = MessageBox()
        guard = guarded(self.message)
        self.state_upload = w.FileUpload(accept=".csv,.json", multiple=False, icon="",
                                         description="Snapshot (.csv)",
                                         layout=w.Layout(width="220px"))
        self.config_upload = w.FileUpload(accept=".xlsx,.xlsm,.json", multiple=False, icon="",
                                          description="Configuration (optional)",
                                          layout=w.Layout(width="220px"))
        self.files = w.HTML()
        self.start = w.DatePicker(description="From (snapshot date)", value=next_monday(),
                                  style=_LABEL, layout=w.Layout(width="380px"))
        self.days = w.BoundedIntText(description="Days", value=28, min=1, max=366,
                                     style=_LABEL, layout=w.Layout(width="320px"))
        self.reps = w.BoundedIntText(description="Replications", value=10, min=1, max=200,
                                     style=_LABEL, layout=w.Layout(width="320px"))
        self.go = button("Forecast", "primary")
        self.go.add_class("ht-forecast-go")
        self.headline = w.HTML()
        self.headline.add_class("ht-forecast-headline")
        self.warnings = w.HTML()
        self.warnings.add_class("ht-forecast-warnings")
        self.charts = w.VBox()
        self.charts.add_class("ht-forecast-charts")
        for upload in (self.state_upload, self.config_upload):
            upload.observe(guard(lambda _: self._show_files()), "value")
        self.go.on_click(guard(lambda _: self.submit()))
        self.poller = Poller(guard(self.check), poll_interval, "forecast")
        intro = w.HTML(
            "<p>Load the specimens in the lab today (one row per specimen: specimen_id, "
            "arrived_at, pathway, priority, stage; see the documentation) and forecast the "
            "coming days. Without a configuration the bundled lab is used; a workbook's "
            "Calendar sheet (closures, extra shifts, demand) applies from the snapshot "
            "date. Bands are the range across replications.</p>")
        self.widget = w.VBox([
            intro, w.HBox([self.state_upload, self.config_upload]), self.files,
            self.start, self.days, self.reps, w.HBox([self.go]), self.message, self.headline,
            self.warnings, self.charts])
        self.widget.add_class("ht-forecast-tab")

    @staticmethod
    def _file(upload: w.FileUpload) -> dict | None:
        files = list(upload.value)
        return files[0] if files else None

    def _show_files(self) -> None:
        names = [f"{what}: {esc(Path(f['name']).name)}" for what, f in (
            ("snapshot", self._file(self.state_upload)),
            ("configuration", self._file(self.config_upload))) if f]
        self.files.value = "<i>" + "; ".join(names) + "</i>" if names else ""

    def submit(self) -> None:
        """Check the inputs (every problem shown at once), then queue the forecast."""
        from hospital_twin.forecast.jobs import submit_forecast

        inputs = forecast_inputs(self._file(self.config_upload), self._file(self.state_upload),
                                 self.start.value, int(self.days.value), int(self.reps.value))
        settings = self.backend.settings
        self.forecast_id = submit_forecast(
            self.backend.redis, settings.queue_name, settings.var_dir, inputs,
            timeout=int(settings.job_timeout), result_ttl=int(settings.result_ttl))
        self.result = None
        self.headline.value = self.warnings.value = ""
        self.charts.children = []
        self.go.disabled = True
        self.summary = (f"Forecast queued: {len(inputs.state)} specimens from "
                        f"{inputs.start:%d %b %Y}, {inputs.days} days, {inputs.reps} "
                        "replications. It appears here when the worker has run it.")
        self.message.show(self.summary)
        self.poller.start()

    def check(self) -> None:
        """Poll the queued forecast; draw it when done, say why when it failed."""
        from hospital_twin.forecast.jobs import read_forecast

        if self.forecast_id is None:
            self.poller.stop()
            return
        settings = self.backend.settings
        state, result = read_forecast(self.backend.redis, settings.var_dir, self.forecast_id)
        if state is None or state["status"] == "failed":
            self.poller.stop()
            self.go.disabled = False
            self.message.error("The forecast failed: " + (
                state.get("error", "") if state else "its job is gone"))
            return
        if result is None:
            self.message.show(f"{self.summary} Now: {state['status']}.")
            return
        self.poller.stop()
        self.go.disabled = False
        self.show(result)

    def show(self, result: dict) -> None:
        """Draw a forecast: headline, warnings, charts."""
        from hospital_twin import charts

        self.result = result
        self.message.show("Forecast done.", "ok")
        kind = "ok" if result["backlog_cleared"]["date"] else "error"
        self.headline.value = f'<div class="ht-msg ht-{kind}">{esc(headline(result))}</div>'
        self.warnings.value = "".join(
            f'<div class="ht-msg ht-error ht-forecast-warning">{esc(s)}</div>'
            for s in result["warnings"])
        self.charts.children = [figure_widget(build(result)) for build in (
            charts.forecast_wip_figure, charts.forecast_stage_figure,
            charts.forecast_reports_figure, charts.forecast_share_figure)]

