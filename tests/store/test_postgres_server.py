"""The PostgreSQL helper the tests (and the fan-out tests) use: private databases on one
server, and a clear install hint when the server programs are missing."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from hospital_twin.services import postgres_server
from hospital_twin.services.postgres_server import (
    PostgresServerError,
    create_database,
    drop_database,
    find_postgres_bin,
)
from hospital_twin.store import init_db, make_engine


def test_each_database_is_separate_and_dropped(postgres_admin_url):
    urls = [create_database(postgres_admin_url, f"ht_helper_{n}") for n in range(2)]
    try:
        init_db(urls[0]).dispose()
        engine = make_engine(urls[1])
        assert inspect(engine).get_table_names() == []  # the other database is untouched
        engine.dispose()
    finally:
        for n in range(2):
            drop_database(postgres_admin_url, f"ht_helper_{n}")
    drop_database(postgres_admin_url, "ht_helper_0")  # dropping twice is harmless
    engine = make_engine(urls[0])
    with pytest.raises(OperationalError, match="ht_helper_0"), engine.connect():
        pass
    engine.dispose()


def test_missing_server_programs_say_how_to_install(postgres_admin_url, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(postgres_server.glob, "glob", lambda _pattern: [])
    with pytest.raises(PostgresServerError, match="apt-get install -y postgresql"):
        find_postgres_bin()
