"""Every way a job can die ends as a failed scenario with its reason; none stays running."""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from pathlib import Path

import nbformat
from twin_helpers import stop_process, wait_until

from hospital_twin.config import default_config
from hospital_twin.jobs import prepare, submit_scenarios
from hospital_twin.jobs.sweep import sweep_abandoned
from hospital_twin.store import (
    FAILED,
    RUNNING,
    NewScenario,
    create_scenarios,
    get_scenario,
    scenario_info,
    scenarios,
    writing,
)


def _submit(job_env, hours: float, reps: int, options=None) -> int:
    config = prepare(default_config(), sim_hours=hours, num_reps=reps, seed=3)
    done = submit_scenarios(job_env.redis, job_env.engine, options or job_env.options,
                            [(None, config)])
    return done.scenario_ids[0]


def _final(job_env, sid: int, timeout: float = 60) -> dict:
    wait_until(lambda: get_scenario(job_env.engine, sid)["status"] not in ("queued", "running"),
               timeout, what=f"scenario {sid} to end")
    return get_scenario(job_env.engine, sid)


def _running(job_env, sid: int, timeout: float = 60) -> dict:
    wait_until(lambda: get_scenario(job_env.engine, sid)["status"] == RUNNING, timeout,
               what=f"scenario {sid} to start")
    return get_scenario(job_env.engine, sid)


def test_exception_in_notebook_and_timeout_and_killed_horse(job_env, start_worker):
    # 1. the notebook raises: the stored configuration is not a valid LabConfig
    broken = _submit(job_env, 24, 1)
    with writing(job_env.engine) as conn:
        conn.execute(scenario_info.update().where(scenario_info.c.scenario_id == broken)
                     .values(config_json='{"resources": 5}'))
    # 2. the job exceeds its RQ timeout (8 s) in the middle of a long run
    slow = _submit(job_env, 20_000, 5, dataclasses.replace(job_env.options, job_timeout=8))
    # 3. the work-horse is SIGKILLed mid-run
    victim = _submit(job_env, 20_000, 5)
    start_worker()

    row = _final(job_env, broken)
    assert row["status"] == FAILED
    assert "ConfigError" in row["error"] and "resources" in row["error"]
    assert "scenario notebook" in row["error"]

    row = _final(job_env, slow)
    assert row["status"] == FAILED
    assert "JobTimeoutException" in row["error"] and "8" in row["error"]

    horse = _running(job_env, victim)["worker_pid"]
    os.kill(horse, signal.SIGKILL)
    row = _final(job_env, victim, 30)
    assert row["status"] == FAILED
    assert f"pid {horse}" in row["error"] and "killed by signal 9" in row["error"]

    # each failed notebook sits whole at its place (papermill wrote it beside and it was
    # renamed when the job stopped, killed horse included): nothing is left half-way
    for sid in (broken, slow):
        notebook = Path(get_scenario(job_env.engine, sid)["notebook_path"])
        assert nbformat.read(notebook, as_version=4).cells, sid
    report_dir = Path(job_env.options.report_dir)
    assert list(report_dir.glob("*.running.ipynb")) == []


def test_killed_worker_is_failed_by_the_next_worker(job_env, start_worker):
    victim = _submit(job_env, 20_000, 5)
    worker = start_worker()
    horse = _running(job_env, victim)["worker_pid"]
    os.kill(worker.pid, signal.SIGKILL)  # the whole worker is lost: supervisor and horse
    os.kill(horse, signal.SIGKILL)
    worker.wait(5)
    time.sleep(0.2)
    assert get_scenario(job_env.engine, victim)["status"] == RUNNING
    next_worker = start_worker()  # its start-up sweep notices the dead process
    row = _final(job_env, victim, 30)
    assert row["status"] == FAILED
    assert f"pid {horse}" in row["error"] and "died" in row["error"]
    # the new worker still serves the queue
    ok = _submit(job_env, 24, 1)
    assert _final(job_env, ok)["status"] == "done"
    stop_process(next_worker)


def test_sweep_fails_scenarios_whose_job_vanished(job_env):
    old = time.time() - 3600
    _, (lost,) = create_scenarios(job_env.engine, [NewScenario("{}", 1, 1.0, 0.0, 1,
                                                               "no-such-job")])
    _, (fresh,) = create_scenarios(job_env.engine, [NewScenario("{}", 1, 1.0, 0.0, 1,
                                                                "not-enqueued-yet")])
    with writing(job_env.engine) as conn:
        conn.execute(scenarios.update().where(scenarios.c.scenario_id == lost)
                     .values(created=old))
    assert sweep_abandoned(job_env.engine, job_env.redis, job_env.settings.queue_name) == [lost]
    assert "vanished" in get_scenario(job_env.engine, lost)["error"]
    assert get_scenario(job_env.engine, fresh)["status"] == "queued"  # within the grace time
