"""``hospital-twin submit`` and ``hospital-twin status``: queue a scenario, follow it."""

from __future__ import annotations

from pathlib import Path

import click

from hospital_twin.settings import get_settings


@click.command("submit")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--hours", type=click.FloatRange(min=0, min_open=True), required=True,
              help="Simulated hours per replication.")
@click.option("--reps", type=click.IntRange(min=1), required=True,
              help="Number of replications.")
@click.option("--name", help="A name for the scenario.")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed (default: random).")
def submit_command(path: Path, hours: float, reps: int, name: str | None,
                   seed: int | None) -> None:
    """Queue a scenario from a workbook (.xlsx) or JSON configuration; prints its id."""
    from hospital_twin.config import ConfigError, load_config
    from hospital_twin.jobs import (
        JobOptions,
        QueueUnavailable,
        connect,
        new_seed,
        prepare,
        submit_scenarios,
    )
    from hospital_twin.store import init_db

    settings = get_settings()
    try:
        config = prepare(load_config(path), sim_hours=hours, num_reps=reps,
                         seed=new_seed() if seed is None else seed, source=path.name)
        engine = init_db(settings.db_url)
        done = submit_scenarios(connect(settings.redis_url), engine,
                           JobOptions.from_settings(settings), [(name or path.stem, config)])
    except (ConfigError, QueueUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    engine.dispose()
    for text in done.warnings:
        click.echo(f"warning: {text}", err=True)
    click.echo(done.scenario_ids[0])


@click.command("status")
@click.argument("scenario_id", type=int)
def status_command(scenario_id: int) -> None:
    """Print a scenario's status and progress."""
    from hospital_twin.store import init_db
    from hospital_twin.store.views import scenario_view

    engine = init_db(get_settings().db_url)
    view = scenario_view(engine, scenario_id)
    engine.dispose()
    if view is None:
        raise click.ClickException(f"unknown scenario {scenario_id}")
    line = (f"scenario {scenario_id} ({view['name'] or 'unnamed'}): {view['status']}, "
            f"{view['done_reps']}/{view['num_reps']} replications, "
            f"progress {view['progress']:.2f}")
    if view.get("error"):
        line += f"\nerror: {view['error']}"
    click.echo(line)
