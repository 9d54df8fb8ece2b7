"""The scenario store: the seed's schema plus the product's tables, migrated on start.

``init_db(path_or_url)`` opens (creating/migrating) the database, a SQLite file or a
PostgreSQL ``postgresql://`` URL (same schema, same code); the functions in
:mod:`~hospital_twin.store.scenarios` and :mod:`~hospital_twin.store.analyses` read and
write it, each write in its own transaction.
"""

from hospital_twin.store.admin import init_db, reset_db
from hospital_twin.store.analyses import get_analysis, list_analyses
from hospital_twin.store.engine import database_url, make_engine, reading, writing
from hospital_twin.store.migrations import current_version, migrate
from hospital_twin.store.scenarios import (
    NewScenario,
    create_scenarios,
    delete_scenarios,
    get_config_json,
    get_results,
    get_scenario,
    list_scenarios,
    mark_failed,
    mark_running,
    record_progress,
    set_report,
    store_results,
    unfinished_scenarios,
)
from hospital_twin.store.schema import (
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    SCHEMA_VERSION,
    analysis_info,
    metadata,
    multis,
    scenario_info,
    scenarios,
    schema_version,
)

__all__ = [
    "DONE", "FAILED", "QUEUED", "RUNNING", "SCHEMA_VERSION", "NewScenario", "analysis_info",
    "create_scenarios", "current_version", "database_url", "delete_scenarios",
    "get_analysis", "get_config_json", "get_results", "get_scenario", "init_db",
    "list_analyses", "list_scenarios", "make_engine", "mark_failed", "mark_running",
    "metadata", "migrate", "multis", "reading", "record_progress", "reset_db",
    "scenario_info", "scenarios", "schema_version", "set_report", "store_results",
    "unfinished_scenarios", "writing",
]
