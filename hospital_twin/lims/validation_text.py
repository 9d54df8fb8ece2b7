"""The validation as plain text for the terminal: observed beside simulated, row by row."""

from __future__ import annotations

import math

from hospital_twin.lims.validate import OUTSIDE, Validation


def _num(value: float | None, section: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if section == "RCPath shares":
        return f"{100 * value:.1f}%"
    return f"{value:,.2f}"


def validation_text(result: Validation) -> str:
    """One line per compared row under a heading per section, then the TAT tests."""
    s = result.summary()
    lines = [
        f"Validation of {result.log_source}: {result.specimens:,} specimens, "
        f"{result.period_start:%Y-%m-%d %H:%M} to {result.period_end:%Y-%m-%d %H:%M}",
        f"{result.reps} replications (seed {result.seed}); {result.start_state}",
        f"{s['inside']} of {s['inside'] + s['outside']} rows inside the simulated 95 % band "
        f"({100 * s['share_inside']:.0f} %), {s['too_few']} with too few data",
    ]
    section = None
    for row in result.rows.to_dict("records"):
        if row["section"] != section:
            section = row["section"]
            lines += ["", f"{section}", f"  {'measure':<26}{'group':<34}{'observed':>10}"
                      f"{'simulated':>11}{'95 % band':>22}  verdict"]
        band = f"{_num(row['low'], section)} – {_num(row['high'], section)}"
        mark = "  <-- " if row["verdict"] == OUTSIDE else "  "
        lines.append(f"  {row['measure']:<26}{row['group']:<34}"
                     f"{_num(row['observed'], section):>10}{_num(row['simulated'], section):>11}"
                     f"{band:>22}{mark}{row['verdict']}")
    lines += ["", "Two-sample Kolmogorov-Smirnov tests of TAT (log vs replications pooled)"]
    for row in result.tests.to_dict("records"):
        stat = "–" if row["statistic"] is None else f"D = {row['statistic']:.3f}, " \
                                                     f"p = {row['p_value']:.3g}"
        lines.append(f"  {row['group']:<10} n = {row['n_observed']:,} vs "
                     f"{row['n_simulated']:,}: {stat}: {row['verdict']}")
    lines += ["", "Notes:"] + [f"  - {note}" for note in result.notes]
    return "\n".join(lines)
