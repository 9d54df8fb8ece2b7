"""The validation report notebook's sections (``notebooks/validation.ipynb``).

Tables are HTML with each exact number in a ``data-value`` attribute and the verdict in a
``data-verdict`` attribute, so tests and scripts can read a report back; charts use the
report package's :func:`~hospital_twin.reports.sections.show_figure` (offline HTML).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from IPython.display import HTML, Markdown, display

from hospital_twin.charts.validation import validation_figure
from hospital_twin.reports.sections import show_figure

SECTIONS = ("Turnaround (days)", "Stage to stage (hours)", "Reports per weekday",
            "RCPath shares")
_STYLE = """<style>
table.ht-table {border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 14px;}
table.ht-table th, table.ht-table td {border-bottom: 1px solid #ddd; padding: 4px 10px;
  text-align: right;}
table.ht-table td.ht-text, table.ht-table th:first-child {text-align: left;}
td.ht-inside {color: #1a7f37; font-weight: 600;} td.ht-outside {color: #b42318;
  font-weight: 600;}
</style>"""


def load_validation(path: str | Path) -> dict[str, Any]:
    """The validation JSON written by ``hospital-twin validate`` or a validation job."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _fmt(value: float | None, section: str) -> str:
    if value is None:
        return "–"
    return f"{100 * value:.1f}%" if section == "RCPath shares" else f"{value:,.2f}"


def _value(value: float | None, section: str) -> str:
    attr = "" if value is None else f' data-value="{float(value)!r}"'
    return f"<td{attr}>{_fmt(value, section)}</td>"


def show_title(data: dict[str, Any]) -> None:
    """Heading, the log and period, the setting and the overall count of inside rows."""
    s = data["summary"]
    display(HTML(_STYLE))
    display(Markdown(
        f"# Validation: {data.get('config', 'configuration')} against {data['log']}\n\n"
        f"The lab's record — **{data['specimens']:,} specimens** received from "
        f"{data['period']['start'][:16].replace('T', ' ')} to the export at "
        f"{data['period']['end'][:16].replace('T', ' ')} — beside **{data['reps']} simulated "
        f"periods** of the twin (seed {data['seed']}; {data['start_state']}).\n\n"
        f"**{s['inside']} of {s['inside'] + s['outside']} measures** are inside the twin's "
        f"95 % band ({100 * s['share_inside']:.0f} %); {s['outside']} outside; "
        f"{s['too_few']} have too few data for a verdict."))


def show_section(data: dict[str, Any], section: str) -> None:
    """One section's table (observed, twin mean, band, verdict) and chart."""
    rows = [r for r in data["rows"] if r["section"] == section]
    body = []
    for r in rows:
        band = "–" if r["low"] is None else (f"{_fmt(r['low'], section)} to "
                                             f"{_fmt(r['high'], section)}")
        body.append(
            f'<tr><td class="ht-text">{html.escape(r["measure"])}</td>'
            f'<td class="ht-text">{html.escape(r["group"])}</td>'
            f"{_value(r['observed'], section)}<td>{r['n']:,}</td>"
            f"{_value(r['simulated'], section)}<td>{band}</td>"
            f'<td class="ht-{r["verdict"].split()[0]}" data-verdict="{r["verdict"]}">'
            f"{html.escape(r['verdict'])}</td></tr>")
    display(HTML(
        f'<table class="ht-table ht-validation" data-section="{html.escape(section)}">'
        "<tr><th>Measure</th><th>Group</th><th>Lab (observed)</th><th>From</th>"
        "<th>Twin (mean)</th><th>Twin 95 % band</th><th>Verdict</th></tr>"
        + "".join(body) + "</table>"))
    show_figure(validation_figure(rows, section))


def show_tests(data: dict[str, Any]) -> None:
    """The two-sample tests of the TAT distributions."""
    body = []
    for t in data["tests"]:
        stat = "–" if t["statistic"] is None else f"{t['statistic']:.3f}"
        p = "–" if t["p_value"] is None else f"{t['p_value']:.3g}"
        body.append(f'<tr><td class="ht-text">{html.escape(t["group"])}</td>'
                    f"<td>{t['n_observed']:,}</td><td>{t['n_simulated']:,}</td>"
                    f"<td>{stat}</td><td>{p}</td><td class=\"ht-text\">"
                    f"{html.escape(t['verdict'])}</td></tr>")
    display(HTML('<table class="ht-table ht-tests"><tr><th>Specimens</th><th>Lab</th>'
                 "<th>Twin (all periods)</th><th>D</th><th>p</th><th>Verdict</th></tr>"
                 + "".join(body) + "</table>"))


def show_notes(data: dict[str, Any]) -> None:
    """What can mislead, said on the page."""
    display(Markdown("\n".join(f"* {note}" for note in data["notes"])))
