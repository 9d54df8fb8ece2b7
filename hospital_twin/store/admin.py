"""Whole-database operations: open (create/migrate) and reset."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from hospital_twin.store.engine import make_engine, writing
from hospital_twin.store.migrations import migrate
from hospital_twin.store.schema import metadata


def init_db(db: str | Path) -> Engine:
    """An engine on ``db`` (path or URL) with the schema created or migrated to current."""
    engine = make_engine(db)
    migrate(engine)
    return engine


def reset_db(engine: Engine) -> None:
    """Drop every table and create the current schema again (ids restart at 1)."""
    with writing(engine) as conn:
        metadata.drop_all(conn)
    migrate(engine)
