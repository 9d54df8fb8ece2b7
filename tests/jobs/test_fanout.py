"""Scenarios split into replication jobs: merged once, equal to one process, robust to loss."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal

from rq.job import Job
from rq.serializers import JSONSerializer
from twin_helpers import REFERENCE_WORKBOOK, wait_until

from hospital_twin.config import read_workbook
from hospital_twin.jobs import prepare, submit_scenarios
from hospital_twin.jobs.fanout import is_fanout, run_replication_job
from hospital_twin.kpis import build_results, validate_results
from hospital_twin.model import run_replication
from hospital_twin.store import DONE, FAILED, get_results, get_scenario, writing
from hospital_twin.store.replications import MERGED, STORED, list_replications
from hospital_twin.store.schema import scenario_info


def _submit(job_env, reps: int, hours: float, seed: int, fanout_reps: int):
    options = dataclasses.replace(job_env.options, fanout_reps=fanout_reps)
    config = prepare(read_workbook(REFERENCE_WORKBOOK), sim_hours=hours, num_reps=reps,
                     seed=seed, warmup_hours=24.0)
    done = submit_scenarios(job_env.redis, job_env.engine, options, [("fan", config)])
    return config, done.scenario_ids[0]


def _without_timings(results: dict) -> dict:
    """Results minus the measured wall-clock seconds (the only part that may differ)."""
    results = json.loads(json.dumps(results))
    results["run"].pop("wall_seconds")
    for rep in results["replications"]:
        rep.pop("wall_seconds")
    return results


def _parent(pid: int) -> int | None:
    """Parent process id of ``pid`` (None once it has gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def test_small_scenarios_stay_one_job_and_large_ones_fan_out(job_env) -> None:
    _, small = _submit(job_env, reps=2, hours=48, seed=1, fanout_reps=3)
    _, large = _submit(job_env, reps=3, hours=48, seed=1, fanout_reps=3)
    assert not is_fanout(get_scenario(job_env.engine, small)["job_id"])
    assert list_replications(job_env.engine, small) == []
    assert is_fanout(get_scenario(job_env.engine, large)["job_id"])
    rows = list_replications(job_env.engine, large)
    assert [r["replication"] for r in rows] == [0, 1, 2]
    assert {r["status"] for r in rows} == {"queued"}
    queued = [Job.fetch(r["job_id"], connection=job_env.redis, serializer=JSONSerializer)
              for r in rows]
    assert [j.kwargs["replication"] for j in queued] == [0, 1, 2]
    assert all(j.retries_left == 2 for j in queued)


def test_merged_result_equals_one_process_and_is_merged_once(job_env) -> None:
    config, sid = _submit(job_env, reps=4, hours=72, seed=21, fanout_reps=2)
    outcomes = []
    for index in (2, 0, 3, 1):  # any order: workers finish when they finish
        outcomes.append(run_replication_job(sid, index, job_env.options.db_url)["outcome"])
        if len(outcomes) < 4:
            row = get_scenario(job_env.engine, sid)
            assert row["status"] == "running" and row["done_reps"] == len(outcomes)
            assert get_results(job_env.engine, sid) is None
    assert outcomes == [STORED, STORED, STORED, MERGED]
    again = run_replication_job(sid, 1, job_env.options.db_url)  # a late duplicate
    assert again["skipped"] == "gone"  # the scenario is done: nothing is run or merged again

    row = get_scenario(job_env.engine, sid)
    assert row["status"] == DONE and row["done_reps"] == 4
    merged = json.loads(get_results(job_env.engine, sid))
    validate_results(merged)
    expected = build_results([run_replication(config, i) for i in range(4)],
                             config.model_dump(mode="json"), 21)
    assert _without_timings(merged) == _without_timings(json.loads(json.dumps(expected)))
    # the issue-13 keys come out of the merge too, from the stored replication KPIs
    for key in ("stability", "tat_km", "machine_time", "tat_populations"):
        assert merged[key] == expected[key]
    assert merged["stability"]["verdict"] == "too short to tell"  # 72 h


def test_three_workers_merge_twelve_replications_once_despite_a_killed_worker(
        job_env, start_worker) -> None:
    config, sid = _submit(job_env, reps=12, hours=168, seed=5, fanout_reps=10)
    workers = {w.pid: w for w in (start_worker() for _ in range(3))}

    def a_running_replication():
        if get_scenario(job_env.engine, sid)["done_reps"] < 1:
            return None
        for rep in list_replications(job_env.engine, sid):
            if rep["status"] == "running" and rep["worker_pid"]:
                worker = _parent(rep["worker_pid"])  # the work-horse's parent: its worker
                if worker in workers:
                    return rep, worker
        return None

    rep, worker = wait_until(a_running_replication, 120, 0.01, "a replication mid-run")
    # the worker and its work-horse (RQ gives the horse a process group of its own) die
    os.kill(worker, signal.SIGKILL)
    os.killpg(rep["worker_pid"], signal.SIGKILL)
    workers[worker].wait(10)

    wait_until(lambda: get_scenario(job_env.engine, sid)["status"] in (DONE, FAILED), 180,
               0.2, "the fanned-out scenario to finish")
    row = get_scenario(job_env.engine, sid)
    assert row["status"] == DONE, row["error"]
    assert row["done_reps"] == 12
    reps = list_replications(job_env.engine, sid)
    assert [r["status"] for r in reps] == [DONE] * 12
    lost = reps[rep["replication"]]
    assert lost["attempts"] >= 2  # run again after its worker died

    merged = json.loads(get_results(job_env.engine, sid))
    assert merged["run"]["replications"] == 12
    assert [r["replication"] for r in merged["replications"]] == list(range(12))
    outcomes = []
    for r in reps:  # the job that ran each replication to the end
        job = Job.fetch(r["job_id"], connection=job_env.redis, serializer=JSONSerializer)
        result = wait_until(job.latest_result, 10, what="a replication job's result")
        outcomes.append(result.return_value.get("outcome"))
    assert outcomes.count(MERGED) == 1 and outcomes.count(STORED) == 11
    # the lost replication's rerun gives what it would have given in one process
    expected = build_results([run_replication(config, rep["replication"])],
                             config.model_dump(mode="json"), 5)
    assert merged["replications"][rep["replication"]]["overall_tat"] == \
        expected["replications"][0]["overall_tat"]


def test_a_replication_that_keeps_failing_fails_the_scenario_with_its_reason(
        job_env, start_worker) -> None:
    _, sid = _submit(job_env, reps=3, hours=48, seed=2, fanout_reps=2)
    with writing(job_env.engine) as conn:  # a configuration no replication can run
        conn.execute(scenario_info.update().where(scenario_info.c.scenario_id == sid)
                     .values(config_json='{"not": "a lab"}'))
    start_worker()
    wait_until(lambda: get_scenario(job_env.engine, sid)["status"] == FAILED, 120, 0.1,
               "the scenario to fail")
    error = get_scenario(job_env.engine, sid)["error"]
    assert re.match(r"replication \d+ failed after 3 attempt\(s\): .*ConfigError", error), error
    assert get_results(job_env.engine, sid) is None
    reps = list_replications(job_env.engine, sid)
    assert not [r for r in reps if r["status"] == "running"]
    assert max(r["attempts"] for r in reps) == 3
