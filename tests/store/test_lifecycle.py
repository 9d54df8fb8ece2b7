"""A scenario's life in the store: queued → running → progress → done or failed."""

from __future__ import annotations

import json
import time

from hospital_twin.store import (
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    NewScenario,
    create_scenarios,
    delete_scenarios,
    get_analysis,
    get_results,
    get_scenario,
    init_db,
    list_analyses,
    mark_failed,
    mark_running,
    record_progress,
    reset_db,
    scenario_info,
    store_results,
    unfinished_scenarios,
)


def _new(seed: int = 7, reps: int = 3) -> NewScenario:
    return NewScenario(config_json="{}", num_reps=reps, sim_hours=48.0, warmup_hours=0.0,
                       seed=seed, job_id=f"job-{seed}", name=f"s{seed}")


def test_scenario_lifecycle(db):
    engine = init_db(db)
    analysis_id, (sid,) = create_scenarios(engine, [_new()])
    assert analysis_id is None
    row = get_scenario(engine, sid)
    assert (row["status"], row["done_reps"], row["seed"], row["name"]) == (QUEUED, 0, 7, "s7")
    assert mark_running(engine, sid, "host-a", 1234)
    assert record_progress(engine, sid, 1)
    row = get_scenario(engine, sid)
    assert (row["status"], row["done_reps"], row["worker_pid"]) == (RUNNING, 1, 1234)
    assert [r["scenario_id"] for r in unfinished_scenarios(engine)] == [sid]
    assert store_results(engine, sid, json.dumps({"overall_tat": 1.5}))
    row = get_scenario(engine, sid)
    assert (row["status"], row["done_reps"]) == (DONE, 3) and row["completed"] >= row["created"]
    assert json.loads(get_results(engine, sid)) == {"overall_tat": 1.5}
    # a late failure report never overwrites a finished scenario
    assert not mark_failed(engine, sid, "late")
    assert not record_progress(engine, sid, 2)
    assert get_scenario(engine, sid)["status"] == DONE
    assert unfinished_scenarios(engine) == []
    engine.dispose()


def test_failure_and_delete(db):
    engine = init_db(db)
    _, (sid,) = create_scenarios(engine, [_new()])
    assert mark_failed(engine, sid, "boom: ZeroDivisionError")
    row = get_scenario(engine, sid)
    assert (row["status"], row["error"]) == (FAILED, "boom: ZeroDivisionError")
    assert not mark_running(engine, sid, "h", 1)  # a failed scenario is not restarted
    assert not store_results(engine, sid, "{}")
    assert delete_scenarios(engine, [sid]) == 1
    assert get_scenario(engine, sid) is None
    with engine.connect() as conn:
        assert conn.execute(scenario_info.select()).all() == []  # cascaded
    engine.dispose()


def test_analysis_progress_and_completion(db):
    engine = init_db(db)
    aid, ids = create_scenarios(engine, [_new(5, 2), _new(5, 2)], analysis=True,
                                analysis_name="staffing")
    status = get_analysis(engine, aid)
    assert (status["scenario_ids"], status["progress"], status["status"]) == (ids, 0.0, QUEUED)
    assert "completed" not in status and status["name"] == "staffing"
    mark_running(engine, ids[0], "h", 1)
    record_progress(engine, ids[0], 1)
    assert get_analysis(engine, aid)["progress"] == 0.25
    store_results(engine, ids[0], "{}")
    assert get_analysis(engine, aid)["status"] == RUNNING
    store_results(engine, ids[1], "{}")
    status = get_analysis(engine, aid)
    assert (status["progress"], status["status"]) == (1.0, DONE)
    assert status["completed"] == get_scenario(engine, ids[1])["completed"]
    assert [a["analysis_id"] for a in list_analyses(engine)] == [aid]
    assert get_analysis(engine, aid + 1) is None
    reset_db(engine)
    assert list_analyses(engine) == [] and get_scenario(engine, ids[0]) is None
    _, (again,) = create_scenarios(engine, [_new()])
    assert again == 1  # ids restart after a reset
    engine.dispose()


def test_timestamps_keep_full_precision(db):
    """UNIX timestamps round-trip as 8-byte floats (PostgreSQL's REAL would lose ~minutes)."""
    engine = init_db(db)
    before = time.time()
    _, (sid,) = create_scenarios(engine, [_new()])
    after = time.time()
    mark_running(engine, sid, "h", 1)
    row = get_scenario(engine, sid)
    assert before <= row["created"] <= after
    assert row["created"] <= row["started"] <= time.time()
    assert isinstance(row["created"], float) and row["sim_hours"] == 48.0
    engine.dispose()
