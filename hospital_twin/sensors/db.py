"""The sensor tables live in the product's database, through the store's one engine setup.

``hospital_twin.store.engine`` gives SQLite WAL mode, ``BEGIN IMMEDIATE`` writes and plain
``BEGIN`` reads, so the sensor writer shares the file with the API and the workers.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from hospital_twin.sensors.tables import metadata
from hospital_twin.store.engine import make_engine, reading, writing

__all__ = ["open_store", "reading", "writing"]


def open_store(path: str | Path) -> Engine:
    """Open (creating if needed) the database at ``path`` with the sensor tables."""
    engine = make_engine(Path(path).expanduser().resolve())
    metadata.create_all(engine)
    return engine
