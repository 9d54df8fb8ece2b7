"""``hospital-twin calibrate`` and ``validate``: the twin fed and checked by a LIMS event log."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from hospital_twin.cli.config_cmd import EXIT_INVALID, _load_or_exit


def _read_log_or_exit(path: Path):
    from hospital_twin.lims import EventLogError, read_event_log

    try:
        return read_event_log(path)
    except EventLogError as error:
        click.echo(f"{path}: invalid event log", err=True)
        for problem in error.problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(EXIT_INVALID)


@click.command("calibrate")
@click.argument("log_path", metavar="LOG.csv", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--base", "base_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Workbook (or JSON) whose other values are kept; default: the bundled one.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Calibrated workbook to write (.xlsx).")
@click.option("--report", "report_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Calibration report (Markdown); default: OUT's name + '-report.md'.")
def calibrate_command(log_path: Path, base_path: Path | None, out: Path,
                      report_path: Path | None) -> None:
    """Estimate arrival schedules and mixes from a LIMS event log into a copy of a workbook.

    Also writes the report (what was estimated, from how many specimens, 95 % intervals,
    what stays from the base workbook) and OUT's name + '-arrivals.csv' (168 hourly rates
    per pathway with intervals and the weeks behind each).
    """
    from hospital_twin.config import default_config, read_workbook, write_workbook
    from hospital_twin.lims.calibrate import calibrate
    from hospital_twin.lims.calibration_report import calibration_markdown

    if out.suffix.lower() != ".xlsx":
        raise click.BadParameter("the calibrated workbook must be an .xlsx file",
                                 param_hint="--out")
    base = _load_or_exit(base_path) if base_path else default_config()
    log = _read_log_or_exit(log_path)
    result = calibrate(log, base)
    write_workbook(result.config, out)
    read_workbook(out)  # what was written reads back valid (raises otherwise)
    report_path = report_path or out.with_name(out.stem + "-report.md")
    arrivals_path = out.with_name(out.stem + "-arrivals.csv")
    text = calibration_markdown(result, base_path.name if base_path else "bundled default",
                                out.name)
    report_path.write_text(text, encoding="utf-8")
    result.arrivals_table().to_csv(arrivals_path, index=False)
    click.echo(text)
    click.echo(f"calibrated workbook written to {out}")
    click.echo(f"report written to {report_path}; hourly arrival rates to {arrivals_path}")


@click.command("validate")
@click.argument("log_path", metavar="LOG.csv", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              required=True, help="The lab configuration to check (.xlsx or .json).")
@click.option("--reps", type=click.IntRange(min=2), default=30, show_default=True,
              help="Replications of the log's period.")
@click.option("--warmup-weeks", type=click.IntRange(min=0), default=4, show_default=True,
              help="Whole weeks the simulated lab runs before the log's first week.")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed (default: the config's).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Local worker processes (default: all cores).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("validation.json"), show_default=True,
              help="Validation JSON (every row, the tests, the setting).")
@click.option("--report", "report_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Also write the HTML report (and its executed notebook) into this folder.")
def validate_command(log_path: Path, config_path: Path, reps: int, warmup_weeks: int,
                     seed: int | None, workers: int | None, out: Path,
                     report_dir: Path | None) -> None:
    """Simulate a LIMS event log's period and lay the log beside the twin, row by row.

    TAT percentiles per pathway and priority, step-to-step durations, reports per weekday and
    RCPath shares, each with the simulated 95 % band and a verdict (inside/outside), and
    two-sample tests of the TAT distributions.
    """
    from tqdm import tqdm

    from hospital_twin.lims.validate import WarmUpStart, validate
    from hospital_twin.lims.validation_text import validation_text

    config = _load_or_exit(config_path)
    log = _read_log_or_exit(log_path)
    with tqdm(total=reps, unit="rep", desc="replications") as bar:
        result = validate(log, config, reps=reps, seed=seed,
                          start_state=WarmUpStart(warmup_weeks),
                          workers=workers or os.cpu_count() or 1,
                          progress=lambda *_: bar.update(1))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result.to_json() | {"config": config_path.name}, indent=1))
    click.echo(validation_text(result))
    click.echo(f"validation written to {out}")
    if report_dir is not None:
        from hospital_twin.lims.validation_report import render_validation_report

        files = render_validation_report(out, report_dir, stem=out.stem)
        click.echo(f"report written to {files.html}")
