"""The calibration report: what was estimated, from how many specimens, with 95 % intervals,
and what stays from the base workbook because a log cannot show it (Markdown text)."""

from __future__ import annotations

from hospital_twin.lims.calibrate import NOT_FROM_A_LOG, Calibration


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def calibration_markdown(cal: Calibration, base_name: str, out_name: str) -> str:
    """The report as Markdown (also readable as plain text)."""
    lines = [
        "# Calibration from a LIMS event log", "",
        f"- Event log: `{cal.source}`, {cal.specimens:,} specimens",
        f"- Observed period: {cal.period_start:%Y-%m-%d %H:%M} to "
        f"{cal.period_end:%Y-%m-%d %H:%M} ({cal.weeks_observed:.1f} weeks; from the hour of "
        "the first reception to the hour after the latest step recorded)",
        f"- Base workbook: `{base_name}`; calibrated workbook: `{out_name}`", "",
        "## Weekly arrival schedules (written)", "",
        "Each of the 168 hours of the week is estimated as receptions in that hour divided by "
        "the number of times it occurs in the period (its weeks); the per-hour rates with "
        "exact Poisson 95 % intervals and weeks are in the arrivals CSV.", "",
        "| Pathway | Specimens | Weekly arrivals | 95 % interval | Base workbook | "
        "Weeks behind each hour |",
        "|---|---:|---:|---|---:|---|",
    ]
    for est in cal.arrivals.values():
        low, high = est.weekly_interval()
        lines.append(
            f"| {est.pathway} | {est.specimens:,} | {est.weekly_total:.1f} | "
            f"{low:.1f} – {high:.1f} | {est.base_rates.sum():.1f} | "
            f"{int(est.weeks.min())} – {int(est.weeks.max())} |")
    lines += ["", "## Mixes", "",
              "| What | Estimate | 95 % interval | From | Base workbook | Written to |",
              "|---|---:|---|---:|---:|---|"]
    for share in cal.shares:
        low, high = share.interval
        lines.append(
            f"| {share.what} | {_pct(share.value)} | {_pct(low)} – {_pct(high)} | "
            f"{share.n:,} | {_pct(share.base)} | "
            f"{share.written_to or 'reported only (set by the arrival schedules)'} |")
    if cal.counts:
        lines += ["", "## Blocks and slides (reported, not written)", "",
                  "| What | Mean | 95 % interval | From specimens | Base workbook |",
                  "|---|---:|---|---:|---:|"]
        for count in cal.counts:
            lines.append(f"| {count.what} | {_num(count.mean)} | {_num(count.low)} – "
                         f"{_num(count.high)} | {count.n:,} | {_num(count.base_mean)} |")
    lines += ["", "## What a log cannot show (kept from the base workbook)", ""]
    lines += [f"- {item}" for item in NOT_FROM_A_LOG]
    if cal.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in cal.notes]
    return "\n".join(lines) + "\n"
