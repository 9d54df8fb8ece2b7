"""``hospital-twin db``: create or migrate the database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import click

from hospital_twin.settings import get_settings


@click.group("db")
def db_group() -> None:
    """Manage the scenario database."""


@db_group.command("init")
def init() -> None:
    """Create or migrate the database (HOSPITAL_TWIN_DB: a SQLite path, default
    var/hospital_twin.db, or a postgresql:// URL)."""
    from hospital_twin.store import init_db
    from hospital_twin.store.engine import display_url

    db = get_settings().db_url
    init_db(db).dispose()
    click.echo(f"database ready: {display_url(db)}")
