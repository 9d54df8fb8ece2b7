"""``hospital-twin db init`` creates and migrates the database named by HOSPITAL_TWIN_DB,
a SQLite path or a plain ``postgresql://`` URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hospital_twin.store import SCHEMA_VERSION, current_version, make_engine
from hospital_twin.store.engine import display_url, engine_url

COMMAND = str(Path(sys.executable).parent / "hospital-twin")


def test_db_init_creates_then_keeps_the_database(db, engine_name, tmp_path):
    if engine_name == "postgresql":  # as a user writes it: no driver in the URL
        db = engine_url(db).set(drivername="postgresql").render_as_string(hide_password=False)
    env = dict(os.environ, HOSPITAL_TWIN_DB=db, HOSPITAL_TWIN_VAR_DIR=str(tmp_path / "var"))
    for _ in range(2):  # the second run finds the current schema and changes nothing
        result = subprocess.run([COMMAND, "db", "init"], env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"database ready: {display_url(db)}"
    engine = make_engine(db)
    with engine.connect() as conn:
        assert current_version(conn) == SCHEMA_VERSION
    engine.dispose()
    assert not (tmp_path / "var").exists()  # nothing was written to the default location
