"""Absurd but well-formed workloads: refused before queueing (API, CLI, dashboard) with
the figure and the setting; and a job that still runs away fails with its memory limit."""

from __future__ import annotations

import io
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from twin_helpers import wait_until

from hospital_twin.config import LabConfig, default_config, write_workbook
from hospital_twin.jobs import submit_scenarios
from hospital_twin.jobs.queue import connect, scenario_queue
from hospital_twin.jobs.workload import (
    JOB_BASE_MB,
    WorkloadTooLarge,
    check_workload,
    estimate,
)
from hospital_twin.settings import Settings
from hospital_twin.store import get_scenario, list_scenarios

HOSPITAL_TWIN = str(Path(sys.executable).parent / "hospital-twin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def busy_config(per_hour: float = 1e5) -> LabConfig:
    """The bundled lab with ``per_hour`` arrivals every hour on both pathways."""
    data = default_config().model_dump(mode="json")
    data["arrivals"] = {"cancer": [per_hour] * 168, "noncancer": [per_hour] * 168}
    return LabConfig.model_validate(data)


def workbook(config: LabConfig) -> bytes:
    buf = io.BytesIO()
    write_workbook(config, buf)
    return buf.getvalue()


def test_estimate_scales_with_arrivals_length_and_replications():
    config = busy_config().with_run(sim_hours=168, replications=3)
    work = estimate(config)
    assert work.specimens_per_replication == pytest.approx(33_600_000)
    assert work.total_specimens == pytest.approx(3 * 33_600_000)
    assert work.job_memory_mb > 100_000
    fanned = estimate(config, fanout_reps=2)
    assert fanned.replications_per_job == 1 and fanned.job_memory_mb < work.job_memory_mb
    bundled = estimate(default_config().with_run(sim_hours=4 * 168, replications=5))
    assert 1_000 < bundled.specimens_per_replication < 20_000
    assert JOB_BASE_MB < bundled.job_memory_mb < 1_000


def test_ceiling_is_a_setting():
    config = default_config().with_run(sim_hours=168, replications=10)
    check_workload(config, settings=Settings())  # the bundled lab passes the defaults
    with pytest.raises(WorkloadTooLarge) as err:
        check_workload(config, settings=Settings(max_scenario_specimens=1000))
    assert "more than the 1,000 allowed (setting HOSPITAL_TWIN_MAX_SCENARIO_SPECIMENS)" \
        in err.value.render()
    with pytest.raises(WorkloadTooLarge, match="HOSPITAL_TWIN_JOB_MEMORY_MB"):
        check_workload(config, settings=Settings(job_memory_mb=JOB_BASE_MB))
    check_workload(config, settings=Settings(job_memory_mb=0))  # 0: no memory limit


def test_api_refuses_absurd_workbook_before_queueing(redis_url, tmp_path):
    sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
    from api_helpers import Live

    live = Live(redis_url, tmp_path, worker=False)
    try:
        reply = live.client.post(
            "/scenarios", data={"sim_hours": "168", "num_reps": "1"},
            files={"config": ("busy.xlsx", workbook(busy_config()), XLSX)})
        assert reply.status_code == 413, reply.text
        text = reply.json()["description"]
        assert "about 33,600,000 specimens" in text and "more than the 10,000,000 allowed" in text
        assert "HOSPITAL_TWIN_MAX_SCENARIO_SPECIMENS" in text
        assert "HOSPITAL_TWIN_JOB_MEMORY_MB" in text
        assert live.client.get("/scenarios").json() == []
        # a report of a workbook on the server is checked the same way before it is queued
        configs = live.settings.report_configs_path
        configs.mkdir(parents=True, exist_ok=True)
        (configs / "lab.xlsx").write_bytes(workbook(default_config()))
        reply = live.client.post("/reports", json={"config_path": "lab.xlsx", "weeks": 520,
                                                   "reps": 10_000})
        assert reply.status_code == 413, reply.text
        assert "HOSPITAL_TWIN_MAX_SCENARIO_SPECIMENS" in reply.json()["description"]
        assert scenario_queue(connect(redis_url), live.settings.queue_name).count == 0
    finally:
        live.close()


def test_cli_submit_refuses_absurd_workbook(job_env):
    path = job_env.tmp / "busy.xlsx"
    path.write_bytes(workbook(busy_config()))
    done = subprocess.run([HOSPITAL_TWIN, "submit", str(path), "--hours", "168", "--reps", "1"],
                          env=job_env.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "about 33,600,000 specimens" in done.stderr
    assert "HOSPITAL_TWIN_MAX_SCENARIO_SPECIMENS" in done.stderr
    assert list_scenarios(job_env.engine) == []


def test_dashboard_run_tab_refuses_absurd_workload(job_env):
    from hospital_twin.dashboards.simulation.app import build
    from hospital_twin.dashboards.simulation.backend import Backend

    backend = Backend(job_env.settings)
    run = build(backend, poll=False).run
    run.set_bases([("busy", busy_config())])
    run.length_unit.value, run.length.value, run.reps.value = "weeks", 1, 1
    with pytest.raises(ValueError, match="not valid"):
        run.submit()
    assert "about 33,600,000 specimens" in run.problems.value
    assert "HOSPITAL_TWIN_MAX_SCENARIO_SPECIMENS" in run.problems.value
    assert backend.scenarios() == []


def test_runaway_job_fails_with_its_memory_limit(job_env, start_worker):
    """Queued past the check (as a job whose estimate was wrong would be), a runaway
    scenario hits the worker's job memory limit and is failed with that reason."""
    limit = 1500
    config = busy_config(2e4).with_run(sim_hours=168, replications=1, seed=1)
    done = submit_scenarios(job_env.redis, job_env.engine, job_env.options,
                            [(f"runaway-{uuid.uuid4().hex[:6]}", config)])
    sid = done.scenario_ids[0]
    start_worker(job_env.env | {"HOSPITAL_TWIN_JOB_MEMORY_MB": str(limit)})
    row = wait_until(lambda: (r := get_scenario(job_env.engine, sid))["status"] == "failed"
                     and r, 300, 0.5, "the runaway scenario to fail")
    assert row["error"].startswith(f"job exceeded its memory limit of {limit} MB"), row["error"]


def test_runaway_replication_job_fails_with_its_memory_limit(job_env, start_worker):
    """The same for a scenario fanned out into replication jobs: each attempt hits the
    limit, and the scenario fails naming it once the retries are used up."""
    import dataclasses

    limit = 900  # the replication runs in the work-horse itself (no kernel)
    options = dataclasses.replace(job_env.options, fanout_reps=1)
    config = busy_config(2e4).with_run(sim_hours=168, replications=1, seed=2)
    done = submit_scenarios(job_env.redis, job_env.engine, options,
                            [(f"runaway-rep-{uuid.uuid4().hex[:6]}", config)])
    sid = done.scenario_ids[0]
    start_worker(job_env.env | {"HOSPITAL_TWIN_JOB_MEMORY_MB": str(limit)})
    row = wait_until(lambda: (r := get_scenario(job_env.engine, sid))["status"] == "failed"
                     and r, 400, 0.5, "the runaway fanned-out scenario to fail")
    assert row["error"].startswith("replication 1 failed after 3 attempt(s): job exceeded its "
                                   f"memory limit of {limit} MB"), row["error"]
