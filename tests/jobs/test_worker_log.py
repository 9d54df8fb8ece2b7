"""A worker's log keeps its job lines and drops RQ's line per maintenance round (every 10 s
of an idle worker, which buried the job lines of ``make run``)."""

from __future__ import annotations

import logging

import pytest
from rq.serializers import JSONSerializer

from hospital_twin.jobs.queue import scenario_queue
from hospital_twin.jobs.worker import TwinWorker, _not_a_maintenance_line


def test_maintenance_rounds_leave_no_log_lines_and_others_stay(
    job_env, caplog: pytest.LogCaptureFixture,
) -> None:
    queue = scenario_queue(job_env.redis, job_env.settings.queue_name)
    worker = TwinWorker([queue], connection=job_env.redis, serializer=JSONSerializer,
                        maintenance_interval=10)
    with caplog.at_level(logging.INFO, logger="rq.worker"):
        worker.clean_registries()  # a real round on the real Redis
        worker.clean_group_registries()
        worker.log.info("Worker %s: hospital-twin: scenario 1 (%s)", worker.name, "job-1")
    messages = [r.getMessage() for r in caplog.records if r.name == "rq.worker"]
    assert not any("cleaning" in m for m in messages), messages
    assert messages == [f"Worker {worker.name}: hospital-twin: scenario 1 (job-1)"]
    assert worker.last_cleaned_at is not None  # the round itself ran
    TwinWorker([queue], connection=job_env.redis, serializer=JSONSerializer)
    assert worker.log.filters.count(_not_a_maintenance_line) == 1  # once, not per worker
