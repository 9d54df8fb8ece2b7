"""``hospital-twin report``: a self-contained HTML report of a scenario, an analysis, a
configuration file, or of every workbook in a folder (``--batch``)."""

from __future__ import annotations

from pathlib import Path

import click

from hospital_twin.settings import get_settings


def _one(request, out: Path) -> None:
    from hospital_twin.reports import render_report
    from hospital_twin.reports.jobs import failure_reason

    try:
        files = render_report(request, out, timeout=get_settings().job_timeout)
    except Exception as exc:
        raise click.ClickException(failure_reason(exc)) from exc
    click.echo(f"report written to {files.html} (executed notebook {files.ipynb.name})")


def _batch(folder: Path, out: Path, in_process: bool, **run: float) -> None:
    from hospital_twin.reports import run_batch

    settings = get_settings()
    result = run_batch(folder, out, redis_url=None if in_process else settings.redis_url,
                       queue_name=settings.queue_name, timeout=settings.job_timeout, **run)
    if not result.items:
        raise click.ClickException(f"no workbooks (.xlsx, .xlsm) in {folder}")
    if result.note:
        click.echo(result.note)
    for item in result.failed:
        click.echo(f"FAILED {item.workbook.name}: {item.error}", err=True)
    click.echo(f"{len(result.items) - len(result.failed)} report(s), {len(result.failed)} "
               f"failure(s); index written to {result.index}")
    if result.failed:
        raise SystemExit(1)


@click.command("report")
@click.option("--scenario", "scenario_id", type=click.IntRange(min=1),
              help="Report a stored (finished) scenario.")
@click.option("--analysis", "analysis_id", type=click.IntRange(min=1),
              help="Report a stored multi-scenario analysis, with paired differences.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Run a configuration (.xlsx or .json) here and report it.")
@click.option("--batch", "batch_dir", type=click.Path(path_type=Path, file_okay=False,
                                                      exists=True),
              help="Report every workbook in this folder (RQ jobs if a worker is up).")
@click.option("--weeks", type=click.FloatRange(min=0, min_open=True),
              help="Simulated weeks for --config/--batch  [default: 1]")
@click.option("--reps", type=click.IntRange(min=1),
              help="Replications for --config/--batch  [default: 2]")
@click.option("--seed", type=click.IntRange(min=0), help="Seed for --config/--batch [default: 0]")
@click.option("--warmup", type=click.FloatRange(min=0),
              help="Warm-up hours for --config/--batch  [default: 0]")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder the HTML report(s) and executed notebook(s) are written to.")
@click.option("--in-process", is_flag=True,
              help="With --batch: run here even when a worker serves the queue.")
def report(scenario_id: int | None, analysis_id: int | None, config_path: Path | None,
           batch_dir: Path | None, weeks: float | None, reps: int | None, seed: int | None,
           warmup: float | None, out: Path, in_process: bool) -> None:
    """Render a report (HTML, code hidden, works offline) with notebooks/report.ipynb."""
    from hospital_twin.reports import ReportRequest

    chosen = [n for n, v in (("--scenario", scenario_id), ("--analysis", analysis_id),
                             ("--config", config_path), ("--batch", batch_dir)) if v]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --scenario, --analysis, --config or "
                               f"--batch (got {', '.join(chosen) or 'none'})")
    run_given = [n for n, v in (("--weeks", weeks), ("--reps", reps), ("--seed", seed),
                                ("--warmup", warmup)) if v is not None]
    if run_given and (scenario_id or analysis_id):
        raise click.UsageError(f"{', '.join(run_given)} only apply to --config and --batch: "
                               "a stored scenario keeps the settings it ran with")
    run = {"weeks": weeks or 1.0, "reps": reps or 2, "seed": seed or 0,
           "warmup_hours": warmup or 0.0}
    if batch_dir:
        _batch(batch_dir, out, in_process, **run)
        return
    if config_path:
        request = ReportRequest(config_path=str(config_path), **run)
    else:
        request = ReportRequest(scenario_id=scenario_id, analysis_id=analysis_id)
    _one(request, out)
