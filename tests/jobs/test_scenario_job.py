"""A scenario job end to end: a real RQ worker runs the papermill notebook."""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
from rq.job import Job
from rq.serializers import JSONSerializer
from twin_helpers import REFERENCE_WORKBOOK, wait_until

from hospital_twin.config import read_workbook
from hospital_twin.jobs import prepare, submit_scenarios
from hospital_twin.kpis import build_results, validate_results
from hospital_twin.model import run_replication
from hospital_twin.store import DONE, get_results, get_scenario


def test_notebook_job_reports_progress_and_stores_results(job_env, start_worker):
    config = prepare(read_workbook(REFERENCE_WORKBOOK), sim_hours=168, num_reps=3, seed=11)
    done = submit_scenarios(job_env.redis, job_env.engine, job_env.options, [("reference", config)])
    (sid,) = done.scenario_ids
    assert get_scenario(job_env.engine, sid)["status"] == "queued"
    start_worker()

    seen: list[int] = []

    def finished() -> bool:
        row = get_scenario(job_env.engine, sid)
        if not seen or seen[-1] != row["done_reps"]:
            seen.append(row["done_reps"])
        return row["status"] in (DONE, "failed")

    wait_until(finished, 90, 0.02, "the scenario to finish")
    row = get_scenario(job_env.engine, sid)
    assert row["status"] == DONE, row["error"]
    assert seen == [0, 1, 2, 3]  # done_reps rose one replication at a time
    assert row["completed"] >= row["started"] >= row["created"]

    results = json.loads(get_results(job_env.engine, sid))
    validate_results(results)
    assert results["run"]["replications"] == 3 and results["seed"] == 11
    assert results["overall_tat_min"] < results["overall_tat"] < results["overall_tat_max"]
    assert results["tat_by_stage"]["ymin"] is not None
    # replications are pure functions of configuration, seed and index: recompute them
    expected = build_results([run_replication(config, i) for i in range(3)],
                             config.model_dump(mode="json"), 11)
    assert results["overall_tat"] == expected["overall_tat"]
    assert results["progress"] == expected["progress"]

    # the executed notebook and its HTML rendering (inputs hidden) are kept as the report;
    # the notebook appears at its place whole, once papermill has stopped writing it
    report = wait_until(lambda: get_scenario(job_env.engine, sid)["report_path"], 20,
                        what="the HTML report")
    nb = nbformat.read(row["notebook_path"], as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and f"scenario_id = {sid}" in injected[0].source
    assert not Path(row["notebook_path"]).with_suffix(".running.ipynb").exists()
    html = open(report, encoding="utf-8").read()
    assert "replication 3/3 done" in html and "Scenario report" in html
    assert "ScenarioRun(" not in html  # code cells are hidden

    job = Job.fetch(done.job_ids[0], connection=job_env.redis, serializer=JSONSerializer)
    summary = wait_until(lambda: job.latest_result(), 10, what="the RQ result")
    assert summary.return_value["scenario_id"] == sid
    assert summary.return_value["overall_tat"] == results["overall_tat"]
    assert time.time() - row["created"] < 90
