"""Results tab: KPI cards, RCPath verdicts, the nine charts and downloads of one scenario
(results JSON, tables, and replication 0's specimens as a LIMS event log)."""

from __future__ import annotations

import json
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

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


def _verdict_card(row: dict, css: str) -> str:
    from hospital_twin.charts import format_share

    cls = {True: "ht-on", False: "ht-under"}.get(row["on_target"], "")
    value = "no data" if row["share"] is None else f"{100 * row['share']:.1f}%"
    ci = ("" if row["low"] is None or row["high"] is None else
          f" · 95% CI {100 * row['low']:.1f}–{100 * row['high']:.1f}%")
    return (f'<div class="ht-card {css} {cls}" data-kpi="{row["key"]}-{row["days"]}">'
            f'<div class="ht-label">{esc(row["measure"])} (target '
            f'{100 * row["target"]:.0f}%)</div>'
            f'<div class="ht-value">{value}</div>'
            f'<div class="ht-label" title="{esc(format_share(row))}">{esc(row["verdict"])}'
            f"{ci}</div></div>")


def strain_html(results: dict) -> str:
    """What to read first: the stability warning, then the Kaplan–Meier (censoring-free)
    turnaround cards and RCPath shares; empty for results that predate them."""
    from hospital_twin.charts import km_cards, rcpath_verdicts, stability_message

    parts = []
    message = stability_message(results)
    if message:
        verdict = results["stability"]["verdict"].replace(" ", "-")
        parts.append(f'<div class="ht-msg ht-stability ht-{verdict}">{esc(message)}</div>')
    cards = km_cards(results)
    if not cards:
        return "".join(parts)
    parts.append('<h4>Turnaround of every specimen (Kaplan–Meier: specimens still in the lab '
                 'at the end count as unfinished)</h4><div class="ht-cards ht-km-cards">')
    for card in cards:
        ci = ("" if card["low"] is None or card["high"] is None else
              f"95% CI {_hours(card['low'])}–{_hours(card['high'])} h")
        days = "" if card["mean_days"] is None else f" ({card['mean_days']:.1f} days)"
        value = ("not reached in this run" if card["mean"] is None
                 else f"{_hours(card['mean'])} hours{days}")
        parts.append(
            f'<div class="ht-card ht-km" data-kpi="{card["key"]}">'
            f'<div class="ht-label">{esc(card["label"])}</div>'
            f'<div class="ht-value">{value}</div><div class="ht-label">{ci}</div></div>')
    for row in rcpath_verdicts(results, km=True):
        parts.append(_verdict_card(row, "ht-km-verdict"))
    parts.append('</div><h4>Completed specimens only (those reported before the run ended; '
                 'flatters a lab that falls behind)</h4>')
    return "".join(parts)


def cards_html(results: dict) -> str:
    """KPI cards: the stability warning and Kaplan–Meier figures first (when the results
    have them), then overall and lab TAT of completed specimens (hours, 95 % CI), the five
    RCPath verdicts and how many specimens the run finished."""
    from hospital_twin.charts import completion, rcpath_verdicts, tat_cards

    parts = [strain_html(results), '<div class="ht-cards">']
    done = completion(results)
    for card in tat_cards(results):
        ci = ("" if card["low"] is None else
              f"95% CI {_hours(card['low'])}–{_hours(card['high'])} h")
        days = "" if card["mean_days"] is None else f" ({card['mean_days']:.1f} days)"
        parts.append(
            f'<div class="ht-card ht-kpi" data-kpi="{card["key"]}">'
            f'<div class="ht-label">{esc(card["label"])}</div>'
            f'<div class="ht-value">{_hours(card["mean"])} hours{days}</div>'
            f'<div class="ht-label">{ci}</div></div>')
    for row in rcpath_verdicts(results):
        parts.append(_verdict_card(row, "ht-verdict"))
    if done is not None:
        share = "" if done["percent"] is None else f" ({done['percent']}%)"
        # A lab that piles up work never gets a green edge: its share falls as runs grow.
        piling_up = (results.get("stability") or {}).get("verdict") == "unstable"
        cls = "ht-under" if done["caution"] or piling_up else "ht-on"
        note = ("; work piles up, so this share falls the longer the run" if piling_up
                else "")
        parts.append(
            f'<div class="ht-card ht-completion {cls}" data-kpi="completion">'
            f'<div class="ht-label">Specimens reported within the run</div>'
            f'<div class="ht-value">{done["completed"]:,.0f} of {done["arrived"]:,.0f}{share}'
            f'</div><div class="ht-label">{done["in_progress"]:,.0f} still in progress at '
            f"the end (means per replication){note}</div></div>")
    parts.append("</div>")
    if done is not None and done["caution"]:
        parts.append(f'<div class="ht-msg ht-info ht-caution">{esc(done["caution"])}</div>')
    return "".join(parts)


def result_figures(results: dict) -> list[Any]:
    """The results charts as plotly figures, in display order."""
    from hospital_twin import charts

    return [
        charts.tat_by_stage_figure(results),
        charts.utilisation_figure(results),
        charts.hourly_utilisation_figure(results),
        charts.wip_figure(results),
        charts.allocation_figure(results),
        charts.queue_length_figure(results),
        charts.tat_histogram_figure(results),
    ] + ([charts.machine_time_figure(results)] if results.get("machine_time") else [])


class ResultsTab:
    """Pick a finished scenario and see its KPIs and charts."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.message = MessageBox()
        self.picker = w.Dropdown(description="Scenario", options=[],
                                 layout=w.Layout(width="480px"),
                                 style={"description_width": "initial"})
        self.show_button = button("Show results", "primary")
        self.refresh_button = button("Refresh list")
        self.title = w.HTML()
        self.cards = w.HTML()
        self.downloads = w.HTML()
        self.event_log_button = button(
            "Prepare event log (CSV)",
            tooltip="Replication 0's specimens in the LIMS event-log format, simulated again "
                    "from the stored configuration (identical to the job's)")
        self.event_log_link = w.HTML()
        self.charts = w.VBox()
        self.scenario_id: int | None = None
        self.results: dict | None = None
        self.title_name = ""
        self.show_button.on_click(guarded(self.message)(lambda _: self.show_selected()))
        self.refresh_button.on_click(guarded(self.message)(lambda _: self.refresh()))
        self.event_log_button.on_click(guarded(self.message)(lambda _: self.prepare_event_log()))
        self.widget = w.VBox([
            w.HBox([self.picker, self.show_button, self.refresh_button]),
            self.message, self.title, self.cards, self.downloads,
            w.HBox([self.event_log_button, self.event_log_link]), self.charts,
        ])
        self.widget.add_class("ht-results-tab")
        self.message.show("Pick a finished scenario and press Show results.")

    def refresh(self) -> None:
        """Reload the list of finished scenarios."""
        current = self.picker.value
        options = [(f"#{s['scenario_id']} {s['name'] or 'unnamed'}", s["scenario_id"])
                   for s in reversed(self.backend.done_scenarios())]
        self.picker.options = options
        if current in [v for _, v in options]:
            self.picker.value = current

    def show_selected(self) -> None:
        """Show the scenario chosen in the picker."""
        if self.picker.value is None:
            self.message.error("No finished scenario is selected.")
            return
        self.show(int(self.picker.value))

    def show(self, scenario_id: int) -> None:
        """Load a scenario's results and draw cards, charts and download links."""
        from hospital_twin.dashboards.simulation.tables import (
            csv_zip,
            excel_bytes,
            results_tables,
            safe_name,
        )

        self.refresh()
        results = self.backend.results(scenario_id)
        row = next((s for s in self.backend.scenarios() if s["scenario_id"] == scenario_id), {})
        if scenario_id in [v for _, v in self.picker.options]:
            self.picker.value = scenario_id
        self.scenario_id, self.results = scenario_id, results
        name = row.get("name") or f"scenario {scenario_id}"
        self.title_name = name
        run = results.get("run", {})
        self.title.value = (
            f"<h3>#{scenario_id} {esc(name)}</h3><p>{run.get('replications')} replications of "
            f"{run.get('sim_hours', 0):g} simulated hours (warm-up "
            f"{run.get('warmup_hours', 0):g} h), seed {results.get('seed')}.</p>")
        self.cards.value = cards_html(results)
        tables = results_tables(results)
        stem = f"scenario-{scenario_id}-{safe_name(name)}"
        self.downloads.value = " | ".join([
            "Download: " + download_html(json.dumps(results).encode(), f"{stem}.json",
                                         "application/json", "results (JSON)"),
            download_html(csv_zip(tables), f"{stem}-tables.zip", "application/zip",
                          "tables (CSV, zip)"),
            download_html(excel_bytes(tables), f"{stem}-tables.xlsx", XLSX, "tables (Excel)"),
            "charts: use each chart's camera button (PNG)",
        ])
        self.event_log_link.value = ""
        self.charts.children = [figure_widget(fig) for fig in result_figures(results)]
        self.message.clear()

    def prepare_event_log(self) -> None:
        """Simulate replication 0 of the shown scenario again and offer its event log."""
        from hospital_twin.dashboards.simulation.tables import safe_name

        if self.scenario_id is None:
            self.message.error("Show a scenario's results first.")
            return
        data = self.backend.event_log_csv(self.scenario_id)
        rows = data.count(b"\n") - 1
        self.event_log_link.value = download_html(
            data, f"scenario-{self.scenario_id}-{safe_name(self.title_name)}-event-log.csv",
            "text/csv", f"event log of replication 0 ({rows:,} specimens, CSV)")
