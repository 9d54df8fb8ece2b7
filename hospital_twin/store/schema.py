"""Database schema (SQLAlchemy Core): the seed's two tables, exactly, plus the product's own.

``multis`` and ``scenarios`` are the seed architecture's tables, column for column, so a
client of the seed's schema keeps working. Everything the product needs beyond them (name,
status, error, configuration, seed, run length, job id, report paths...) lives in the added
1:1 tables ``scenario_info`` and ``analysis_info``; their rows are deleted with the seed row
(``ON DELETE CASCADE``). ``replication_runs`` (version 3) follows the replications of a
scenario split into one job each. ``schema_version`` records the migrations applied.

The same tables are created on SQLite and PostgreSQL. Timestamps are UNIX seconds in
``REAL`` columns on SQLite (the seed's type, an 8-byte float) and ``DOUBLE PRECISION`` on
PostgreSQL (whose ``REAL`` is a 4-byte float: a timestamp would be rounded to 128 s); integer
primary keys are ``AUTOINCREMENT`` on SQLite and ``SERIAL`` on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    DOUBLE_PRECISION,
    REAL,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    Text,
    text,
)

#: A float column: the seed's ``REAL`` on SQLite, ``DOUBLE PRECISION`` on PostgreSQL.
Real = REAL().with_variant(DOUBLE_PRECISION(), "postgresql")

#: Current schema version (see :mod:`hospital_twin.store.migrations`).
SCHEMA_VERSION = 3

#: Scenario states.
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
UNFINISHED = (QUEUED, RUNNING)

metadata = MetaData()

multis = Table(
    "multis",
    metadata,
    Column("analysis_id", Integer, primary_key=True, autoincrement=True, nullable=True),
    sqlite_autoincrement=True,
)

scenarios = Table(
    "scenarios",
    metadata,
    Column("scenario_id", Integer, primary_key=True, autoincrement=True, nullable=True),
    Column("analysis_id", Integer, ForeignKey("multis.analysis_id")),
    Column("created", Real, nullable=False),
    Column("completed", Real),
    Column("num_reps", Integer, nullable=False),
    Column("done_reps", Integer, nullable=False, server_default=text("0")),
    Column("results", Text),
    sqlite_autoincrement=True,
)

#: The seed's tables (schema version 1).
SEED_TABLES = (multis, scenarios)

scenario_info = Table(
    "scenario_info",
    metadata,
    Column("scenario_id", Integer,
           ForeignKey("scenarios.scenario_id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    Column("name", Text),
    Column("status", Text, nullable=False, server_default=text("'queued'")),
    Column("error", Text),
    Column("config_json", Text),
    Column("seed", Integer),
    Column("sim_hours", Real),
    Column("warmup_hours", Real),
    Column("job_id", Text),
    Column("started", Real),
    Column("worker_host", Text),
    Column("worker_pid", Integer),
    Column("notebook_path", Text),
    Column("report_path", Text),
)

analysis_info = Table(
    "analysis_info",
    metadata,
    Column("analysis_id", Integer,
           ForeignKey("multis.analysis_id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    Column("name", Text),
    Column("created", Real, nullable=False),
    Column("seed", Integer),
)

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied", Real, nullable=False),
)

#: One row per replication of a scenario split into replication jobs (fan-out, version 3):
#: its state, attempts, the job and process running it, and its KPIs once done.
replication_runs = Table(
    "replication_runs",
    metadata,
    Column("scenario_id", Integer,
           ForeignKey("scenarios.scenario_id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    Column("replication", Integer, primary_key=True, autoincrement=False),
    Column("status", Text, nullable=False, server_default=text("'queued'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("job_id", Text),
    Column("worker_host", Text),
    Column("worker_pid", Integer),
    Column("started", Real),
    Column("finished", Real),
    Column("error", Text),
    Column("kpis", Text),
)
