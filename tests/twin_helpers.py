"""Helpers shared by the store, jobs and API tests (imported as ``twin_helpers``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from redis import Redis
from sqlalchemy import Engine

from hospital_twin.jobs.options import JobOptions
from hospital_twin.services.live_dashboard import stop_process  # noqa: F401 (re-exported)
from hospital_twin.settings import Settings

REFERENCE_WORKBOOK = Path(__file__).resolve().parents[1] / (
    "hospital_twin/config/templates/cuh-config.xlsx")


def wait_until(predicate: Callable[[], object], timeout: float, interval: float = 0.05,
               what: str = "condition") -> object:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@dataclass
class JobEnv:
    """One test's isolated product environment: database, reports folder, queue."""

    env: dict[str, str]
    settings: Settings
    engine: Engine
    options: JobOptions
    redis: Redis
    tmp: Path
