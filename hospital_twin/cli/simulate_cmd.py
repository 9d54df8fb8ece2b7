"""``hospital-twin simulate``: run replications of the lab model and write results JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from hospital_twin.cli.config_cmd import _load_or_exit

HOURS_PER_WEEK = 168


def simulate_to_file(config, out: Path, workers: int, show_progress: bool = True,
                     event_log: Path | None = None, start: str | None = None) -> dict:
    """Run ``config.run`` replications, build the results JSON, write it to ``out``;
    with ``event_log``, also replication 0's specimens as a LIMS event log (from ``start``)."""
    from tqdm import tqdm

    from hospital_twin.kpis import build_results
    from hospital_twin.model import run_replications

    reps = config.run.replications
    with tqdm(total=reps, unit="rep", desc="replications", disable=not show_progress) as bar:
        outputs = run_replications(
            config, reps, workers=workers, progress=lambda *_: bar.update(1)
        )
    results = build_results(outputs, config.model_dump(mode="json"), config.run.seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results))
    if event_log is not None:
        from hospital_twin.lims import write_event_log

        write_event_log(outputs[0], event_log, start)
    return results


def summary_table(results: dict) -> str:
    """A short plain-text table of the headline KPIs."""

    def band(key: str) -> str:
        low, high = results.get(f"{key}_min"), results.get(f"{key}_max")
        return f"  (95% CI {low:.1f} to {high:.1f})" if low is not None else ""

    message = (results.get("stability") or {}).get("message")
    lines = [message, ""] if message else []
    km = ((results.get("tat_km") or {}).get("overall") or {}).get("within", {}).get("7") or {}
    if km.get("mean") is not None:
        lines.append(f"{'Within 7 days, every specimen':<32}{100 * km['mean']:>9.1f} %"
                     "  (Kaplan-Meier; below: completed specimens only)")
    lines += [
        f"{'Overall turnaround time':<32}{results['overall_tat']:>9.1f} h{band('overall_tat')}",
        f"{'Lab turnaround time':<32}{results['lab_tat']:>9.1f} h{band('lab_tat')}",
    ]
    for days, share in results["progress"].items():
        lines.append(f"{'Reported within ' + days + ' days':<32}{100 * share:>9.1f} %")
    lines.append(
        f"{'Lab work within 3 days':<32}{100 * results['lab_progress']['3']:>9.1f} %"
    )
    return "\n".join(lines)


@click.command("simulate")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Lab configuration (.xlsx or .json); default: the bundled workbook.")
@click.option("--hours", type=float, help="Simulated hours (including warm-up).")
@click.option("--weeks", type=float, help="Simulated weeks (alternative to --hours).")
@click.option("--reps", type=click.IntRange(min=1), help="Number of replications.")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed.")
@click.option("--warmup", type=click.FloatRange(min=0), help="Warm-up hours excluded from KPIs.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Local worker processes (default: all cores).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("results.json"), show_default=True, help="Results JSON file.")
@click.option("--event-log", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write replication 0's specimens as a LIMS event-log CSV.")
@click.option("--start", "start", metavar="YYYY-MM-DD",
              help="Date of the run start in the event log: a Monday (default 2024-01-01).")
def simulate(config_path, hours, weeks, reps, seed, warmup, workers, out, event_log,
             start) -> None:
    """Run the lab model and write the results JSON (KPIs with 95% confidence intervals)."""
    from hospital_twin.config import default_config

    if hours is not None and weeks is not None:
        raise click.UsageError("give --hours or --weeks, not both")
    config = _load_or_exit(config_path) if config_path else default_config()
    changes: dict[str, object] = {}
    if hours is not None or weeks is not None:
        changes["sim_hours"] = hours if hours is not None else weeks * HOURS_PER_WEEK
    if reps is not None:
        changes["replications"] = reps
    if seed is not None:
        changes["seed"] = seed
    if warmup is not None:
        changes["warmup_hours"] = warmup
    try:
        config = config.with_run(**changes)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    if start is not None:
        from hospital_twin.lims.export import check_start

        try:
            check_start(start)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--start") from None
    results = simulate_to_file(config, out, workers or os.cpu_count() or 1,
                               event_log=event_log, start=start)
    click.echo(summary_table(results))
    click.echo(f"results written to {out}")
    if event_log is not None:
        click.echo(f"event log of replication 0 written to {event_log}")
