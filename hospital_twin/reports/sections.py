"""The report notebook's sections: each function displays one part of a report.

Tables are HTML with the exact value of every figure in a ``data-value`` attribute (the
text shows it rounded), so tests and scripts can read numbers back from a report.
Charts are displayed as a plotly MIME bundle (for JupyterLab) plus an HTML ``div`` that
draws with the page's inline plotly.js (for the self-contained HTML report).
"""

from __future__ import annotations

import html
import json
import time
from typing import Any

import plotly.graph_objects as go
from IPython.display import HTML, Markdown, display

from hospital_twin.reports.content import (
    ReportData,
    config_summary,
    differences,
    headline_rows,
    key_figures,
    km_verdict_rows,
    verdict_rows,
)

PLOTLY_MIME = "application/vnd.plotly.v1+json"

_STYLE = """<style>
table.ht-table {border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 14px;}
table.ht-table th, table.ht-table td {border-bottom: 1px solid #ddd; padding: 4px 10px;
  text-align: right;}
table.ht-table th:first-child, table.ht-table td.ht-text {text-align: left;}
td.ht-on {color: #1a7f37; font-weight: 600;} td.ht-under {color: #b42318; font-weight: 600;}
p.ht-unstable {color: #b42318; border-left: 6px solid #b42318; padding-left: 8px;}
</style>"""


def _missing(value: Any) -> bool:
    return value is None or value != value  # None or NaN


def _num(value: float | None, fmt: str) -> str:
    return "–" if _missing(value) else format(value, fmt)


def _cell(value: float | None, text: str, css: str = "") -> str:
    attr = "" if _missing(value) else f' data-value="{float(value)!r}"'
    cls = f' class="{css}"' if css else ""
    return f"<td{cls}{attr}>{html.escape(text)}</td>"


def _ci(low: float | None, high: float | None, fmt: str, scale: float = 1.0) -> str:
    if _missing(low) or _missing(high):
        return "<td>– (one replication)</td>"
    return (f'<td class="ht-ci" data-low="{float(low)!r}" data-high="{float(high)!r}">'
            f"{low * scale:{fmt}} to {high * scale:{fmt}}</td>")


def _table(css: str, header: list[str], rows: list[str], scenario: str = "") -> HTML:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    attr = f' data-scenario="{html.escape(scenario)}"' if scenario else ""
    return HTML(f'<table class="ht-table {css}"{attr}><thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>")


def show_title(data: ReportData) -> None:
    """Title, date and what the report is about."""
    when = time.strftime("%d %B %Y, %H:%M %Z", time.localtime(data.generated))
    display(HTML(_STYLE))
    display(Markdown(f"# {data.title}\n\nGenerated {when} from the {data.source}."))
    for name, results in data.scenarios.items():
        _show_stability(results, name if len(data.scenarios) > 1 else "")


def show_config(data: ReportData) -> None:
    """The configuration summary of every scenario."""
    for name, results in data.scenarios.items():
        if len(data.scenarios) > 1:
            display(Markdown(f"### {name}"))
        rows = [f'<tr><td class="ht-text">{html.escape(k)}</td><td>{html.escape(v)}</td></tr>'
                for k, v in config_summary(results)]
        display(_table("ht-config", ["Item", "Value"], rows, name))


def show_headline(data: ReportData) -> None:
    """Headline KPIs with 95 % confidence intervals."""
    for name, results in data.scenarios.items():
        if len(data.scenarios) > 1:
            display(Markdown(f"### {name}"))
        rows = []
        for r in headline_rows(results):
            unit = f" {r['unit']}" if r["unit"] else ""
            rows.append(f'<tr data-key="{r["key"]}"><td class="ht-text">'
                        f"{html.escape(r['measure'])}</td>"
                        + _cell(r["mean"], _num(r["mean"], ".1f") + unit, "ht-mean")
                        + _ci(r["low"], r["high"], ".1f") + "</tr>")
        display(_table("ht-kpis", ["Measure", "Mean", "95% CI"], rows, name))
        _show_completion(results)


def _show_stability(results: dict[str, Any], name: str = "") -> None:
    """An unstable (or undecided) scenario says so before any figure (results ``stability``),
    right under the report's title."""
    from hospital_twin.charts import stability_message, stability_verdict

    message = stability_message(results)
    if message:
        verdict = stability_verdict(results).replace(" ", "-")
        who = f"{html.escape(name)}: " if name else ""
        display(HTML(f'<p class="ht-stability ht-{verdict}"><strong>{who}'
                     f"{html.escape(message)}</strong></p>"))


def _show_completion(results: dict[str, Any]) -> None:
    """How many specimens the run finished, with a caution when too few did (spec §8)."""
    from hospital_twin.charts import completion, completion_text

    text, done = completion_text(results), completion(results)
    if text is None:
        return
    caution = "" if not done["caution"] else (
        f'<p class="ht-caution"><strong>Caution:</strong> {html.escape(done["caution"])}</p>')
    display(HTML(f'<p class="ht-completion">{html.escape(text)}.</p>{caution}'))


def show_verdicts(data: ReportData) -> None:
    """Each RCPath target with the simulated share and whether it is met."""
    for name, results in data.scenarios.items():
        if len(data.scenarios) > 1:
            display(Markdown(f"### {name}"))
        km_rows = km_verdict_rows(results)
        if km_rows:
            display(Markdown("Every specimen (Kaplan–Meier: those still in the lab at the end "
                             "count as unfinished):"))
            display(_table("ht-km-verdicts", ["RCPath target", "Share", "95% CI", "Target",
                                              "Verdict"], _verdict_cells(km_rows), name))
            display(Markdown("Completed specimens only (those reported before the run ended; "
                             "this flatters a lab that falls behind):"))
        display(_table("ht-verdicts", ["RCPath target", "Share", "95% CI", "Target",
                                       "Verdict"], _verdict_cells(verdict_rows(results)), name))


def _verdict_cells(verdicts: list[dict[str, Any]]) -> list[str]:
    """Table rows of RCPath verdicts: share, CI, target and verdict."""
    rows = []
    for r in verdicts:
        share = r["share"]
        verdict_css = {True: "ht-on", False: "ht-under"}.get(r["on_target"], "")
        rows.append(f'<tr data-key="{r["key"]}-{r["days"]}"><td class="ht-text">'
                    f"{html.escape(r['measure'])}</td>"
                    + _cell(share, _num(None if share is None else 100 * share, ".1f")
                            + ("" if share is None else " %"), "ht-share")
                    + _ci(r["low"], r["high"], ".1f", 100.0)
                    + _cell(r["target"], f"{100 * r['target']:.0f} %")
                    + f'<td class="ht-verdict {verdict_css}">{html.escape(r["verdict"])}'
                    "</td></tr>")
    return rows


def show_figure(fig: go.Figure) -> None:
    """Display a figure for both JupyterLab (plotly MIME) and the offline HTML report."""
    div = fig.to_html(include_plotlyjs=False, full_html=False,
                      config={"displaylogo": False, "responsive": True})
    display({PLOTLY_MIME: json.loads(fig.to_json()), "text/html": div,
             "text/plain": f"<Figure: {fig.layout.title.text}>"}, raw=True)


def show_charts(data: ReportData) -> None:
    """The key charts, each under its own heading."""
    for heading, fig in key_figures(data).items():
        display(Markdown(f"### {heading}"))
        show_figure(fig)


def show_comparison(data: ReportData) -> None:
    """For an analysis: paired differences of each scenario against the first."""
    table = differences(data)
    if table.empty:
        display(Markdown("_One scenario only: there is nothing to compare it with._"))
        return
    display(Markdown(f"Baseline: **{data.baseline}**. Differences are *scenario − baseline*, "
                     "paired replication by replication (common random numbers)."))
    rows = []
    for r in table.to_dict("records"):
        share = r["unit"] == "share"
        scale, fmt = (100.0, ".2f") if share else (1.0, ".2f")
        unit, diff_unit = (" %", " pp") if share else (" h", " h")
        sig = {True: "yes", False: "no"}.get(r["significant"], "–")

        def val(v: Any, scale: float = scale) -> float | None:
            return None if _missing(v) else v * scale

        rows.append(
            f'<tr data-key="{html.escape(r["measure"])}" '
            f'data-scenario="{html.escape(r["scenario"])}">'
            f'<td class="ht-text">{html.escape(r["scenario"])}</td>'
            f'<td class="ht-text">{html.escape(r["measure"])}</td>'
            + _cell(r["baseline"], _num(val(r["baseline"]), fmt) + unit)
            + _cell(r["value"], _num(val(r["value"]), fmt) + unit)
            + _cell(r["difference"], _num(val(r["difference"]), "+.2f") + diff_unit, "ht-diff")
            + _ci(r["ci_low"], r["ci_high"], ".2f", scale)
            + f"<td>{sig}</td><td>{r['pairs']}</td></tr>")
    display(_table("ht-differences", ["Scenario", "Measure", "Baseline", "Scenario value",
                                      "Difference", "95% CI", "Significant", "Pairs"], rows))
