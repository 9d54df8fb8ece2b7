"""Compare tab: several finished scenarios side by side and paired differences."""

from __future__ import annotations

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


def stability_row(scenarios: dict[str, dict]) -> str:
    """The first row of the verdicts table: does work pile up in each scenario?"""
    from hospital_twin.charts import stability_message, stability_verdict

    cells = []
    for results in scenarios.values():
        verdict = stability_verdict(results)
        cls = {"unstable": "ht-under", "stable": "ht-on"}.get(verdict or "", "")
        text = verdict or "not computed (older results)"
        if verdict == "unstable":
            text = stability_message(results).split(" The lab")[0].removeprefix("Unstable: ")
            text = f"unstable: {text}"
        cells.append(f'<td class="{cls} ht-stability-cell">{esc(text)}</td>')
    return (f'<tr class="ht-stability-row"><td>Does work pile up? (weekly WIP trend)</td>'
            f"{''.join(cells)}</tr>")


def verdicts_html(scenarios: dict[str, dict]) -> str:
    """Stability first, then RCPath shares and verdicts (Kaplan–Meier shares when the
    results have them, else completed-only), one column per scenario."""
    from hospital_twin.charts import rcpath_verdicts

    names = list(scenarios)
    km = all(r.get("tat_km") for r in scenarios.values())
    table = {n: rcpath_verdicts(r, km=km) for n, r in scenarios.items()}
    head = "".join(f"<th>{esc(n)}</th>" for n in names)
    rows = [stability_row(scenarios)] if any(r.get("stability")
                                             for r in scenarios.values()) else []
    for i, first in enumerate(table[names[0]]):
        cells = []
        for n in names:
            v = table[n][i]
            cls = {True: "ht-on", False: "ht-under"}.get(v["on_target"], "")
            share = "no data" if v["share"] is None else f"{100 * v['share']:.1f}%"
            cells.append(f'<td class="{cls}">{share}: {esc(v["verdict"])}</td>')
        rows.append(f"<tr><td>{esc(first['measure'])} (target {100 * first['target']:.0f}%)"
                    f"</td>{''.join(cells)}</tr>")
    population = ("every specimen, Kaplan–Meier: those still in the lab count as unfinished"
                  if km else "completed specimens only")
    return (f'<h4>RCPath targets ({population})</h4>'
            f'<table class="ht-table ht-verdicts-table"><tr>'
            f"<th>Measure</th>{head}</tr>{''.join(rows)}</table>"
            + completion_notes(scenarios))


def completion_notes(scenarios: dict[str, dict]) -> str:
    """How many specimens each scenario finished, and a caution for those that finished
    too few for dependable turnaround figures."""
    from hospital_twin.charts import completion, completion_text

    lines, short = [], []
    for name, results in scenarios.items():
        text = completion_text(results)
        if text is not None:
            lines.append(f"<li>{esc(name)}: {esc(text)}</li>")
        done = completion(results)
        if done is not None and done["caution"]:
            short.append(name)
    html = f'<ul class="ht-completion">{"".join(lines)}</ul>' if lines else ""
    if short:
        html += (f'<div class="ht-msg ht-info ht-caution">{esc(", ".join(short))}: fewer '
                 "than 80% of the specimens were reported before the run ended, so their "
                 "turnaround times flatter the lab and differences may mislead. Run longer "
                 "(several weeks, with a warm-up).</div>")
    return html


def _number(value: Any, unit: str) -> str:
    if value is None:
        return "–"
    return f"{100 * value:.1f}%" if unit == "share" else f"{value:,.1f} h"


def _diff(value: Any, unit: str) -> str:
    if value is None:
        return "–"
    return f"{100 * value:+.1f} points" if unit == "share" else f"{value:+,.1f} h"


def differences_html(table: Any, baseline: str) -> str:
    """The paired differences table; significant rows (CI excludes 0) highlighted."""
    rows = []
    for r in table.to_dict("records"):
        sig = r["significant"]
        cls = ' class="ht-significant"' if sig else ""
        ci = ("n/a (1 replication)" if r["ci_low"] is None or r["ci_high"] != r["ci_high"]
              else f"{_diff(r['ci_low'], r['unit'])} to {_diff(r['ci_high'], r['unit'])}")
        verdict = {True: "yes", False: "no"}.get(sig, "n/a")
        rows.append(
            f'<tr{cls} data-measure="{esc(r["measure"])}"><td>{esc(r["scenario"])}</td>'
            f"<td>{esc(r['measure'])}</td><td>{_number(r['baseline'], r['unit'])}</td>"
            f"<td>{_number(r['value'], r['unit'])}</td><td>{_diff(r['difference'], r['unit'])}"
            f"</td><td>{ci}</td><td>{verdict}</td><td>{r['pairs']}</td></tr>")
    return (f"<h4>Differences against {esc(baseline)} (paired replications, 95% CI; "
            "highlighted rows are significant)</h4>"
            '<table class="ht-table ht-diff-table"><tr><th>Scenario</th><th>Measure</th>'
            "<th>Baseline</th><th>Scenario value</th><th>Difference</th><th>95% CI</th>"
            f"<th>Significant</th><th>Pairs</th></tr>{''.join(rows)}</table>")


class CompareTab:
    """Choose two or more finished scenarios and a baseline, then compare."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.message = MessageBox()
        guard = guarded(self.message)
        self.choice = w.SelectMultiple(description="Scenarios", options=[], rows=6,
                                       layout=w.Layout(width="480px"))
        self.baseline = w.Dropdown(description="Baseline", options=[],
                                   layout=w.Layout(width="420px"))
        self.resource = w.Dropdown(description="Hourly utilisation of", options=[],
                                   style={"description_width": "initial"},
                                   layout=w.Layout(width="420px"))
        self.compare_button = button("Compare", "primary")
        self.refresh_button = button("Refresh list")
        self.choice.observe(lambda _: self._choice_changed(), "value")
        self.resource.observe(guard(lambda _: self._draw_hourly()), "value")
        self.compare_button.on_click(guard(lambda _: self.compare()))
        self.refresh_button.on_click(guard(lambda _: self.refresh()))
        self.tat = w.VBox()
        self.verdicts = w.HTML()
        self.util = w.VBox()
        self.hourly = w.VBox()
        self.differences = w.HTML()
        self.downloads = w.HTML()
        self.scenarios: dict[str, dict] = {}
        self.widget = w.VBox([
            w.HBox([self.choice, w.VBox([self.baseline, w.HBox([self.compare_button,
                                                                 self.refresh_button])])]),
            self.message, self.tat, self.verdicts, self.util, self.resource, self.hourly,
            self.differences, self.downloads,
        ])
        self.widget.add_class("ht-compare-tab")
        self.message.show("Select two or more finished scenarios (Ctrl-click) and press "
                          "Compare.")

    def refresh(self) -> None:
        """Reload the finished scenarios."""
        chosen = self.choice.value
        options = [(f"#{s['scenario_id']} {s['name'] or 'unnamed'}", s["scenario_id"])
                   for s in self.backend.done_scenarios()]
        self.choice.options = options
        self.choice.value = tuple(v for v in chosen if v in [o[1] for o in options])

    def select(self, scenario_ids: list[int]) -> None:
        """Pre-select scenarios (e.g. an analysis's) and compare them."""
        self.refresh()
        known = [o[1] for o in self.choice.options]
        self.choice.value = tuple(s for s in scenario_ids if s in known)
        self.compare()

    def _choice_changed(self) -> None:
        labels = {v: k for k, v in self.choice.options}
        options = [(labels[v], v) for v in self.choice.value]
        current = self.baseline.value
        self.baseline.options = options
        # ipywidgets leaves a re-optioned dropdown empty: show the baseline compare() uses
        self.baseline.value = current if current in self.choice.value else (
            options[0][1] if options else None)

    def compare(self) -> None:
        """Load the chosen scenarios' results and draw the comparison."""
        import plotly.io  # noqa: F401 - fail here, not half-way, if plotly is missing

        from hospital_twin.charts import (
            differences_table,
            tat_comparison_figure,
            utilisation_comparison_figure,
        )

        ids = list(self.choice.value)
        if len(ids) < 2:
            self.message.error("Select at least two finished scenarios to compare.")
            return
        labels = {v: k for k, v in self.choice.options}
        self.scenarios = {labels[i]: self.backend.results(i) for i in ids}
        baseline = labels[self.baseline.value] if self.baseline.value in ids else labels[ids[0]]
        self.tat.children = [figure_widget(tat_comparison_figure(self.scenarios))]
        self.verdicts.value = verdicts_html(self.scenarios)
        self.util.children = [figure_widget(utilisation_comparison_figure(self.scenarios))]
        first = next(iter(self.scenarios.values()))
        resources = list(first["hourly_utilization_by_resource"]["labels"])
        if list(self.resource.options) != resources:
            self.resource.options = resources
        if self.resource.value not in resources:
            self.resource.value = resources[0]
        self._draw_hourly()
        table = differences_table(self.scenarios, baseline)
        self.differences.value = differences_html(table, baseline)
        self.downloads.value = "Download: " + download_html(
            table.to_csv(index=False).encode(), "differences.csv", "text/csv",
            "differences (CSV)")
        self.message.clear()

    def _draw_hourly(self) -> None:
        from hospital_twin.charts import hourly_utilisation_comparison_figure

        if not self.scenarios or self.resource.value is None:
            return
        self.hourly.children = [figure_widget(hourly_utilisation_comparison_figure(
            self.scenarios, self.resource.value))]
