"""Validate tab: upload the lab's LIMS event log, pick a configuration, queue a validation,
and see the lab beside the twin (tables, band charts, the HTML report to download)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as w

from hospital_twin.dashboards.simulation._ui import (
    MessageBox,
    button,
    download_html,
    esc,
    figure_widget,
    guarded,
)
from hospital_twin.dashboards.simulation.backend import Backend

DEFAULT, UPLOAD, PREVIOUS = "Bundled default", "Upload workbook", "A scenario's configuration"
SECTIONS = ("Turnaround (days)", "Stage to stage (hours)", "Reports per weekday",
            "RCPath shares")
_LABEL = {"description_width": "initial"}


def _fmt(value: float | None, section: str) -> str:
    if value is None:
        return "–"
    return f"{100 * value:.1f}%" if section == "RCPath shares" else f"{value:,.2f}"


def summary_html(data: dict[str, Any]) -> str:
    """The verdict in one sentence, the period and the setting, and what can mislead."""
    s = data["summary"]
    cls = "ht-ok" if s["share_inside"] >= 0.9 and s["too_few"] == 0 else (
        "ht-info" if s["share_inside"] >= 0.9 else "ht-error")
    notes = "".join(f"<li>{esc(n)}</li>" for n in data["notes"])
    return (f'<div class="ht-msg {cls} ht-validation-summary" data-inside="{s["inside"]}" '
            f'data-outside="{s["outside"]}"><b>{s["inside"]} of {s["inside"] + s["outside"]}'
            f"</b> measures of the lab are inside the twin's 95 % band; {s['outside']} "
            f"outside; {s['too_few']} with too few data.</div>"
            f"<p>{esc(data['config'])} against {esc(data['log'])}: {data['specimens']:,} "
            f"specimens received {esc(data['period']['start'][:16].replace('T', ' '))} to the "
            f"export at {esc(data['period']['end'][:16].replace('T', ' '))}; {data['reps']} "
            f"simulated periods (seed {data['seed']}; {esc(data['start_state'])}).</p>"
            + (f'<div class="ht-msg ht-info ht-caution">{esc(data["notes"][0])}</div>'
               if s["too_few"] else "")
            + f"<details><summary>How to read this (and what can mislead)</summary><ul>{notes}"
            "</ul></details>")


def section_html(data: dict[str, Any], section: str) -> str:
    """One section's rows as a table with the verdict of each."""
    rows = []
    for r in (r for r in data["rows"] if r["section"] == section):
        band = "–" if r["low"] is None else f"{_fmt(r['low'], section)} to " \
                                            f"{_fmt(r['high'], section)}"
        cls = {"inside": "ht-on", "outside": "ht-under"}.get(r["verdict"], "")
        rows.append(f"<tr><td>{esc(r['measure'])}</td><td>{esc(r['group'])}</td>"
                    f"<td>{_fmt(r['observed'], section)}</td><td>{r['n']:,}</td>"
                    f"<td>{_fmt(r['simulated'], section)}</td><td>{band}</td>"
                    f'<td class="{cls}" data-verdict="{esc(r["verdict"])}">'
                    f"{esc(r['verdict'])}</td></tr>")
    return (f"<h4>{esc(section)}</h4><table class=\"ht-table ht-validation\">"
            "<tr><th>Measure</th><th>Group</th><th>Lab</th><th>From</th><th>Twin mean</th>"
            "<th>Twin 95 % band</th><th>Verdict</th></tr>" + "".join(rows) + "</table>")


class ValidateTab:
    """Check the twin against the lab's own records (``hospital_twin.lims``)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.message = MessageBox()
        self.problems = w.HTML()
        guard = guarded(self.message)
        self.log_upload = w.FileUpload(accept=".csv", multiple=False, icon="",
                                       description="Choose event log (.csv)",
                                       layout=w.Layout(width="260px"))
        self.log_info = w.HTML()
        self.source = w.ToggleButtons(options=[DEFAULT, UPLOAD, PREVIOUS], value=DEFAULT,
                                      description="Configuration",
                                      style={"button_width": "200px"})
        self.config_upload = w.FileUpload(accept=".xlsx,.xlsm", multiple=False, icon="",
                                          description="Choose workbook",
                                          layout=w.Layout(width="260px"))
        self.previous = w.Dropdown(description="Scenario", options=[],
                                   layout=w.Layout(width="420px"))
        self.source_box = w.HBox()
        self.reps = w.BoundedIntText(description="Simulated periods (replications)", value=30,
                                     min=2, max=200, style=_LABEL)
        self.warmup = w.BoundedIntText(description="Warm-up (weeks before the log)", value=4,
                                       min=0, max=52, style=_LABEL)
        self.reps.add_class("ht-validate-reps")
        self.warmup.add_class("ht-validate-warmup")
        self.submit_button = button("Validate", "success")
        self.picker = w.Dropdown(description="Validation", options=[],
                                 layout=w.Layout(width="560px"), style=_LABEL)
        self.refresh_button = button("Refresh list")
        self.show_button = button("Show validation", "primary")
        self.summary = w.HTML()
        self.tables = w.HTML()
        self.downloads = w.HTML()
        self.charts = w.VBox()
        self.log: tuple[str, bytes] | None = None
        self.log_upload.observe(guard(lambda _: self._log_uploaded()), "value")
        self.source.observe(guard(lambda _: self._source_changed()), "value")
        self.submit_button.on_click(guard(lambda _: self.submit()))
        self.refresh_button.on_click(guard(lambda _: self.refresh()))
        self.show_button.on_click(guard(lambda _: self.show_selected()))
        self.widget = w.VBox([
            w.HTML("<p>Upload the lab's LIMS export (one row per specimen with a timestamp "
                   "per step; see the event-log format in the documentation). The twin "
                   "simulates the same period and says, measure by measure, whether the "
                   "lab's value lies inside its 95 % band.</p>"),
            w.HBox([self.log_upload, self.log_info]), self.source, self.source_box,
            self.reps, self.warmup, w.HBox([self.submit_button]), self.message,
            self.problems,
            w.HTML("<h4>Validations</h4>"),
            w.HBox([self.picker, self.show_button, self.refresh_button]),
            self.summary, self.downloads, self.tables, self.charts,
        ])
        self.widget.add_class("ht-validate-tab")
        self._source_changed()

    # -- inputs -----------------------------------------------------------------------
    def _log_uploaded(self) -> None:
        from hospital_twin.lims import EventLogError, read_event_log

        files = list(self.log_upload.value)
        if not files:
            return
        name, data = files[0]["name"], bytes(files[0]["content"])
        self.log, self.log_info.value = None, ""
        try:
            log = read_event_log(data, name=name)
        except EventLogError as exc:
            self.show_problems(exc)
            self.message.error(f"{name} is not a valid event log; fix it and upload again.")
            return
        self.problems.value = ""
        self.log = (name, data)
        self.log_info.value = (f'&nbsp;<span class="ht-log-info">{esc(name)}: '
                               f"{len(log):,} specimens, {log.start:%Y-%m-%d} to "
                               f"{log.export_time:%Y-%m-%d}</span>")
        self.message.show(f"Loaded {name}.", "ok")

    def _source_changed(self) -> None:
        if self.source.value == DEFAULT:
            self.source_box.children = [w.HTML("The bundled default laboratory.")]
        elif self.source.value == UPLOAD:
            self.source_box.children = [self.config_upload]
        else:
            self.previous.options = [
                (f"#{s['scenario_id']} {s['name'] or 'unnamed'}", s["scenario_id"])
                for s in reversed(self.backend.scenarios())]
            self.source_box.children = [self.previous]

    def show_problems(self, error: Any) -> None:
        """Every problem of a bad log or workbook, one per line."""
        items = "".join(f"<li>{html.escape(str(p))}</li>" for p in error.problems)
        self.problems.value = f'<ul class="ht-msg ht-error ht-problems">{items}</ul>'

    def _config(self) -> tuple[Any, str] | None:
        from hospital_twin.config import (
            ConfigError,
            config_from_json,
            default_config,
            read_workbook,
        )

        if self.source.value == DEFAULT:
            return default_config(), "bundled default"
        if self.source.value == PREVIOUS:
            sid = self.previous.value
            if sid is None:
                self.message.error("There is no scenario to take the configuration from.")
                return None
            return (config_from_json(self.backend.config_json(sid), source=f"scenario {sid}"),
                    f"scenario {sid}")
        files = list(self.config_upload.value)
        if not files:
            self.message.error("Choose a workbook first.")
            return None
        try:
            return read_workbook(bytes(files[0]["content"]), name=files[0]["name"]), \
                files[0]["name"]
        except ConfigError as exc:
            self.show_problems(exc)
            self.message.error(f"{files[0]['name']} is not a valid workbook.")
            return None

    def submit(self) -> str | None:
        """Queue the validation; returns its id (None if something is missing)."""
        if self.log is None:
            self.message.error("Upload a valid event log first.")
            return None
        chosen = self._config()
        if chosen is None:
            return None
        config, config_name = chosen
        validation_id = self.backend.submit_validation(
            self.log[1], self.log[0], config, config_name, reps=self.reps.value,
            warmup_weeks=self.warmup.value)
        self.problems.value = ""
        self.message.show(f"Queued {validation_id}: a worker simulates {self.reps.value} "
                          "periods; press Refresh list to follow it.", "ok")
        self.refresh()
        self.picker.value = validation_id
        return validation_id

    # -- results -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the list of validations and their states."""
        current = self.picker.value
        self.picker.options = [
            (f"{v['log']} vs {v['config']} ({v['status']}) · {v['validation_id'][11:19]}",
             v["validation_id"]) for v in self.backend.validations()]
        ids = [v for _, v in self.picker.options]
        if ids:
            self.picker.value = current if current in ids else ids[0]

    def show_selected(self) -> None:
        if self.picker.value is None:
            self.message.error("No validation is selected.")
            return
        self.show(self.picker.value)

    def show(self, validation_id: str) -> None:
        """Draw a finished validation: summary, tables, band charts, downloads."""
        import json

        from hospital_twin.charts.validation import validation_figure

        data = self.backend.validation_result(validation_id)
        self.summary.value = summary_html(data)
        self.tables.value = "".join(section_html(data, s) for s in SECTIONS)
        stem = Path(data["log"]).stem
        self.downloads.value = "Download: " + " | ".join([
            download_html(self.backend.validation_html(validation_id),
                          f"validation-{stem}.html", "text/html", "report (HTML)"),
            download_html(json.dumps(data).encode(), f"validation-{stem}.json",
                          "application/json", "validation (JSON)")])
        self.charts.children = [figure_widget(validation_figure(data["rows"], s))
                                for s in SECTIONS]
        self.message.clear()
