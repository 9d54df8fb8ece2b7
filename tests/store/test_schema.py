"""The database keeps the seed's schema exactly, on a real SQLite file and on PostgreSQL."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import inspect, make_url
from sqlalchemy.exc import IntegrityError

from hospital_twin.store import init_db, make_engine, multis, scenarios
from hospital_twin.store.engine import display_url, engine_url

SEED_SCENARIOS = [
    # name, type, notnull, default, pk
    ("scenario_id", "INTEGER", 0, None, 1),
    ("analysis_id", "INTEGER", 0, None, 0),
    ("created", "REAL", 1, None, 0),
    ("completed", "REAL", 0, None, 0),
    ("num_reps", "INTEGER", 1, None, 0),
    ("done_reps", "INTEGER", 1, "0", 0),
    ("results", "TEXT", 0, None, 0),
]
#: The seed's SQLite column types as each engine spells them (REAL is an 8-byte float).
TYPE_NAMES = {
    "sqlite": {"INTEGER": "INTEGER", "REAL": "REAL", "TEXT": "TEXT"},
    "postgresql": {"INTEGER": "INTEGER", "REAL": "DOUBLE PRECISION", "TEXT": "TEXT"},
}


def test_tables_have_the_seed_columns(db, engine_name):
    engine = init_db(db)
    inspector = inspect(engine)
    columns = inspector.get_columns("scenarios")
    pk = inspector.get_pk_constraint("scenarios")["constrained_columns"]
    types = TYPE_NAMES[engine_name]
    assert [c["name"] for c in columns] == [c[0] for c in SEED_SCENARIOS]
    for column, (name, type_, notnull, default, is_pk) in zip(columns, SEED_SCENARIOS,
                                                               strict=True):
        assert column["type"].compile(dialect=engine.dialect) == types[type_], name
        if not is_pk:  # a primary key is NOT NULL on PostgreSQL, nullable in the seed's DDL
            assert column["nullable"] == (not notnull), name
        if default is not None:
            assert column["default"] == default, name
    assert pk == ["scenario_id"]
    assert [c["name"] for c in inspector.get_columns("multis")] == ["analysis_id"]
    (fk,) = inspector.get_foreign_keys("scenarios")
    assert (fk["constrained_columns"], fk["referred_table"], fk["referred_columns"]) == (
        ["analysis_id"], "multis", ["analysis_id"])
    (info_fk,) = inspector.get_foreign_keys("scenario_info")
    assert info_fk["referred_table"] == "scenarios"
    assert info_fk["options"].get("ondelete") == "CASCADE"
    if engine_name == "postgresql":  # SERIAL: ids come from a sequence
        assert "nextval" in columns[0]["default"]
    engine.dispose()


@pytest.mark.sqlite_only
def test_sqlite_file_has_the_seed_ddl_and_wal(tmp_path):
    """SQLite-only: the file's exact ``PRAGMA table_info``, ``AUTOINCREMENT`` in the stored
    DDL and WAL journal mode are SQLite features with no PostgreSQL counterpart."""
    path = tmp_path / "db" / "twin.db"
    init_db(path).dispose()
    with sqlite3.connect(path) as raw:
        columns = [row[1:] for row in raw.execute("PRAGMA table_info(scenarios)")]
        assert columns == SEED_SCENARIOS
        assert [row[1] for row in raw.execute("PRAGMA table_info(multis)")] == ["analysis_id"]
        ddl = raw.execute("SELECT sql FROM sqlite_master WHERE name='scenarios'").fetchone()[0]
        assert "AUTOINCREMENT" in ddl and "REFERENCES multis" in ddl
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_foreign_keys_are_enforced(db):
    engine = init_db(db)
    with engine.begin() as conn:
        analysis = conn.execute(multis.insert()).inserted_primary_key[0]
        conn.execute(scenarios.insert().values(analysis_id=analysis, created=1.0, num_reps=3))
        row = conn.execute(scenarios.select()).one()
        assert (row.analysis_id, row.done_reps, row.results) == (analysis, 0, None)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(scenarios.insert().values(analysis_id=999, created=1.0, num_reps=1))
    engine.dispose()


def test_init_is_idempotent_and_keeps_rows(db):
    engine = init_db(db)
    with engine.begin() as conn:
        conn.execute(scenarios.insert().values(created=2.0, num_reps=1))
    engine.dispose()
    engine = init_db(db)
    with engine.connect() as conn:
        assert conn.execute(scenarios.select()).one().created == 2.0
    engine.dispose()


def test_every_spelling_of_the_database_opens_it(db, engine_name):
    """HOSPITAL_TWIN_DB as users write it: a path or ``sqlite:///`` URL; a ``postgresql://``
    or ``postgres://`` URL without a driver (psycopg 3 is chosen)."""
    init_db(db).dispose()
    url = engine_url(db)
    if engine_name == "sqlite":
        spellings = [f"sqlite:///{url.database}", db]
    else:
        spellings = [url.set(drivername=name).render_as_string(hide_password=False)
                     for name in ("postgresql", "postgres")]
    for spelling in spellings:
        engine = make_engine(spelling)
        assert engine.dialect.name == engine_name
        if engine_name == "postgresql":
            assert engine.dialect.driver == "psycopg"
        with engine.begin() as conn:
            conn.execute(scenarios.insert().values(created=3.0, num_reps=1))
        engine.dispose()
    engine = make_engine(db)
    with engine.connect() as conn:
        assert len(conn.execute(scenarios.select()).all()) == len(spellings)
    engine.dispose()
    secret = make_url("postgresql://u:s3cret@h:5/d")
    assert "s3cret" not in display_url(secret.render_as_string(hide_password=False))
    with pytest.raises(ValueError, match="SQLite file path or a postgresql"):
        make_engine("mysql://u@h/d")
