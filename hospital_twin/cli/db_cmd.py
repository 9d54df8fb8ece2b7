"""``hospital-twin db``: create the embedded database."""

from __future__ import annotations

import click

from hospital_twin.settings import get_settings


@click.group("db")
def db_group() -> None:
    """Manage the scenario database."""


@db_group.command("init")
def init() -> None:
    """Create the SQLite database (HOSPITAL_TWIN_DB, default var/hospital_twin.db)."""
    from hospital_twin.store import init_db

    path = get_settings().db_path
    init_db(path).dispose()
    click.echo(f"database ready: {path}")
