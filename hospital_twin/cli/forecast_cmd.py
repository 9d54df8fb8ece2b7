"""``hospital-twin forecast``: from the lab's state today, day by day over the next weeks."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from hospital_twin.cli.config_cmd import EXIT_INVALID, _load_or_exit
from hospital_twin.errors import ConfigError


def forecast_text(result: dict) -> str:
    """The forecast as a short plain-text summary and a table by date."""
    cleared = result["backlog_cleared"]
    if cleared["date"] is None:
        head = f"Backlog not back to its steady level by {result['dates'][-1]}."
    else:
        low, high = cleared["low"] or "?", cleared["high"] or f"after {result['dates'][-1]}"
        head = f"Backlog cleared by {cleared['date']} (95 % interval {low} to {high})."
    lines = [head, "", f"{'date':<12}{'WIP mean (min-max)':<22}{'reports':>8}{'<=7 days':>10}"]
    wip, rep = result["wip_total"], result["reports"]
    for i, date in enumerate(result["dates"]):
        share = result["share_within_7_days"]["mean"][i]
        band = f"{wip['mean'][i]:.0f} ({wip['min'][i]:.0f}-{wip['max'][i]:.0f})"
        lines.append(f"{date:<12}{band:<22}{rep['mean'][i]:>8.0f}"
                     + (f"{100 * share:>9.0f}%" if share is not None else f"{'-':>10}"))
    if result["warnings"]:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in result["warnings"]]
    return "\n".join(lines)


@click.command("forecast")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Lab configuration (.xlsx or .json); default: the bundled workbook.")
@click.option("--state", "state_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Snapshot of the specimens in the lab (.csv or .json); default: empty.")
@click.option("--from", "start", required=True,
              type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
              help="Date (and time) of the snapshot: the forecast's start.")
@click.option("--days", type=click.IntRange(1, 366), default=28, show_default=True)
@click.option("--reps", type=click.IntRange(1, 1000), default=30, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), help="Random seed.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Local worker processes (default: all cores).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the forecast JSON here.")
def forecast(config_path, state_path, start, days, reps, seed, workers, out) -> None:
    """Forecast WIP, reports and the 7-day share per day from a snapshot of the lab."""
    from hospital_twin.config import default_config
    from hospital_twin.forecast import forecast as run_forecast
    from hospital_twin.state import read_snapshot

    config = _load_or_exit(config_path) if config_path else default_config()
    if seed is not None:
        config = config.with_run(seed=seed)
    rows = []
    if state_path is not None:
        try:
            rows = read_snapshot(state_path, start=start)
        except ConfigError as error:
            click.echo(f"{state_path}: invalid snapshot", err=True)
            for problem in error.problems:
                click.echo(f"  - {problem}", err=True)
            sys.exit(EXIT_INVALID)
    try:
        result = run_forecast(config, rows, start, days, reps,
                              workers=workers or os.cpu_count() or 1)
    except ValueError as error:  # e.g. a start not on a half hour
        raise click.UsageError(str(error)) from error
    click.echo(forecast_text(result))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=1))
        click.echo(f"\nForecast written to {out}")

