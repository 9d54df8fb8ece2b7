"""A worker stops on SIGINT/SIGTERM within its grace period, even while a job runs, and
the job it had to stop is marked failed, never left running."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from twin_helpers import wait_until

from hospital_twin.config import default_config
from hospital_twin.jobs import prepare, submit_scenarios
from hospital_twin.jobs.worker import KILL_AFTER_S
from hospital_twin.store import FAILED, RUNNING, get_scenario

CLI = [str(Path(sys.executable).parent / "hospital-twin")]
GRACE = 4.0


def _submit_long(job_env) -> int:
    config = prepare(default_config(), sim_hours=20_000, num_reps=5, seed=3)
    return submit_scenarios(job_env.redis, job_env.engine, job_env.options,
                            [("long", config)]).scenario_ids[0]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_worker_stops_within_its_grace_period_while_a_job_runs(job_env, cpu_hog, sig):
    supervisor = subprocess.Popen([*CLI, "worker", "--count", "1", "--grace", str(GRACE)],
                                  env=job_env.env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
    try:
        sid = _submit_long(job_env)
        wait_until(lambda: get_scenario(job_env.engine, sid)["status"] == RUNNING, 90, 0.1,
                   "the long scenario to run")
        job_id = get_scenario(job_env.engine, sid)["job_id"]
        workers = psutil.Process(supervisor.pid).children()
        sent = time.monotonic()
        supervisor.send_signal(sig)
        out, _ = supervisor.communicate(timeout=GRACE + KILL_AFTER_S + 30)
        elapsed = time.monotonic() - sent
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
    # the running job had its grace period, then was stopped; nobody needed SIGKILL
    assert GRACE <= elapsed < GRACE + KILL_AFTER_S, (elapsed, out)
    assert supervisor.returncode == 0, out
    assert f"stopping workers after their running jobs (grace period {GRACE:g} s)" in out
    assert "stopping after the running job" in out
    assert "stopping now: killing the running job" in out
    assert "killing workers still running" not in out
    assert "all workers stopped" in out
    assert not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers)
    row = get_scenario(job_env.engine, sid)
    assert row["status"] == FAILED
    assert "its worker was shut down" in row["error"]
    job = Job.fetch(job_id, connection=job_env.redis, serializer=JSONSerializer)
    assert job.get_status(refresh=True) == JobStatus.FAILED


#: A worker whose second maintenance round is interrupted by SIGTERM (sent by itself):
#: RQ raised ``StopRequested`` from its handler there, the round's ``except Exception``
#: swallowed it, and the idle worker never stopped.
STOP_DURING_MAINTENANCE = textwrap.dedent("""
    import os, signal
    from hospital_twin.jobs import worker
    rescue, rounds = worker.rescue_with, []
    def rescue_with(connection, options):
        rounds.append(1)
        if len(rounds) == 2:
            os.kill(os.getpid(), signal.SIGTERM)
        return rescue(connection, options)
    worker.rescue_with, worker.MAINTENANCE_S = rescue_with, 1
    worker.run_worker()
    print("worker loop ended after", len(rounds), "maintenance rounds", flush=True)
""")


def test_a_stop_arriving_during_maintenance_is_not_lost(job_env, cpu_hog):
    proc = subprocess.run([sys.executable, "-c", STOP_DURING_MAINTENANCE], env=job_env.env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "worker loop ended after 2 maintenance rounds" in proc.stdout, proc.stderr
    assert "stopping (no job running)" in proc.stderr


def test_idle_workers_stop_at_once(job_env, cpu_hog):
    # RQ's teardown could wait up to a minute on its command-channel reader (TwinWorker.
    # subscribe): idle workers that had left their loop lingered past the grace period
    log = job_env.tmp / "workers.log"
    with open(log, "w") as out:
        supervisor = subprocess.Popen([*CLI, "worker", "--count", "2"], env=job_env.env,
                                      stdout=out, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: log.read_text().count("*** Listening on") == 2, 60, 0.1,
                   "both workers to listen")
        sent = time.monotonic()
        supervisor.send_signal(signal.SIGINT)
        supervisor.wait(30)
        elapsed = time.monotonic() - sent
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
    text = log.read_text()
    assert supervisor.returncode == 0, text
    assert elapsed < KILL_AFTER_S, (elapsed, text)  # no grace period needed: nothing runs
    assert text.count("stopping (no job running)") == 2
    assert "all workers stopped" in text
