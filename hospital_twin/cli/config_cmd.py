"""``hospital-twin config``: validate, show and write lab configurations."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hospital_twin.errors import ConfigError

EXIT_INVALID = 2


def _load_or_exit(path: Path):
    from hospital_twin.config import load_config

    try:
        return load_config(path)
    except ConfigError as error:
        click.echo(f"{path}: invalid configuration", err=True)
        for problem in error.problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(EXIT_INVALID)


def summarise(config) -> str:
    """One line saying what a configuration holds."""
    weekly = config.expected_weekly_arrivals()
    return (
        f"{config.layout} layout; "
        f"{weekly['cancer'] + weekly['noncancer']:.1f} specimens/week expected "
        f"({weekly['cancer']:.1f} cancer, {weekly['noncancer']:.1f} non-cancer); "
        f"{len(config.resources)} resources, {len(config.task_durations)} tasks, "
        f"{len(config.batch_sizes)} batch sizes"
    )


@click.group("config")
def config_group() -> None:
    """Validate, show and write lab configurations (.xlsx workbooks or .json)."""


@config_group.command("validate")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
def validate(path: Path) -> None:
    """Check PATH; exit 0 with a summary (and any warnings: stages that can never work) if
    valid, exit 2 with every problem if not."""
    from hospital_twin.config.dead_stages import config_warnings

    config = _load_or_exit(path)
    click.echo(f"{path}: valid: {summarise(config)}")
    for text in config_warnings(config):
        click.echo(f"  warning: {text}")


@config_group.command("show")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
def show(path: Path) -> None:
    """Print the configuration in PATH as JSON."""
    click.echo(_load_or_exit(path).model_dump_json(indent=2))


@config_group.command("template")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--from", "source", type=click.Path(path_type=Path, dir_okay=False),
    help="Write this configuration (.xlsx or .json) instead of the bundled default.",
)
def template(out: Path, source: Path | None) -> None:
    """Write the bundled default configuration (or --from PATH) as an editable workbook."""
    from hospital_twin.config import default_config, write_workbook

    config = _load_or_exit(source) if source else default_config()
    out.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(config, out)
    click.echo(f"wrote {out} ({config.layout} layout)")
