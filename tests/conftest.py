"""Shared fixtures: a private redis-server, job environments and real RQ worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from twin_helpers import JobEnv, stop_process

from hospital_twin.jobs.options import JobOptions
from hospital_twin.jobs.queue import connect
from hospital_twin.services.redis_server import RedisServer
from hospital_twin.settings import Settings
from hospital_twin.store import init_db


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a private redis-server on a free port (no persistence) for the whole session."""
    with RedisServer() as server:
        yield server.url


@pytest.fixture
def job_env(redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[JobEnv]:
    """Settings pointing at a fresh SQLite file, reports folder and a queue of its own."""
    values = {
        "HOSPITAL_TWIN_REDIS_URL": redis_url,
        "HOSPITAL_TWIN_VAR_DIR": str(tmp_path / "var"),
        "HOSPITAL_TWIN_DB": "",
        "HOSPITAL_TWIN_QUEUE_NAME": f"test-{uuid.uuid4().hex[:10]}",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    engine = init_db(settings.db_path)
    env = dict(os.environ) | values
    yield JobEnv(env, settings, engine, JobOptions.from_settings(settings),
                 connect(redis_url), tmp_path)
    engine.dispose()


@pytest.fixture
def start_worker(job_env: JobEnv) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start real forking RQ worker processes (``python -m hospital_twin.jobs.worker``)."""
    procs: list[subprocess.Popen] = []

    def start(env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(job_env.tmp / f"worker-{len(procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen([sys.executable, "-m", "hospital_twin.jobs.worker"],
                                env=env or job_env.env, stdout=log, stderr=subprocess.STDOUT,
                                process_group=0)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        stop_process(proc)


@pytest.fixture
def cpu_hog() -> Iterator[subprocess.Popen]:
    """A busy-loop process beside the test: timing-dependent failures show up under load."""
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    yield proc
    proc.kill()
    proc.wait()
