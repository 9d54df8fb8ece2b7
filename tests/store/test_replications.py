"""Replication rows of fanned-out scenarios, on both engines: claimed, handed in, merged once."""

from __future__ import annotations

import json
import threading
import time

from sqlalchemy import func, select

from hospital_twin.store import (
    DONE,
    FAILED,
    NewScenario,
    create_scenarios,
    delete_scenarios,
    get_results,
    get_scenario,
    init_db,
    reading,
)
from hospital_twin.store.replications import (
    ALREADY_DONE,
    EXHAUSTED,
    GONE,
    MERGED,
    RUN,
    STORED,
    SUPERSEDED,
    claim_replication,
    create_replications,
    fail_replication,
    hand_in_replication,
    list_replications,
    requeue_replication,
    running_replications,
)
from hospital_twin.store.schema import replication_runs


def _scenario(engine, reps: int) -> int:
    _, (sid,) = create_scenarios(engine, [NewScenario("{}", reps, 48.0, 0.0, 7, "fanout-x")])
    create_replications(engine, sid, [f"fanout-x-rep{i}" for i in range(reps)])
    return sid


def _claim(engine, sid: int, index: int, **kw):
    return claim_replication(engine, sid, index, host="h", pid=1000 + index,
                             max_attempts=kw.pop("max_attempts", 3), **kw)


def _merge_calls(calls: list[list[str]]):
    def merge(texts: list[str]) -> str:
        calls.append(texts)
        return json.dumps({"merged": [json.loads(t)["i"] for t in texts]})
    return merge


def test_replications_are_counted_once_and_the_last_hand_in_merges(db: str) -> None:
    engine = init_db(db)
    sid = _scenario(engine, 3)
    assert [r["status"] for r in list_replications(engine, sid)] == ["queued"] * 3
    claim = _claim(engine, sid, 1)
    assert (claim.outcome, claim.attempt) == (RUN, 1)
    row = get_scenario(engine, sid)
    assert row["status"] == "running" and row["worker_pid"] == 1001

    calls: list[list[str]] = []
    merge = _merge_calls(calls)
    assert hand_in_replication(engine, sid, 1, '{"i": 1}', merge) == STORED
    assert hand_in_replication(engine, sid, 1, '{"i": 1}', merge) == ALREADY_DONE
    assert get_scenario(engine, sid)["done_reps"] == 1
    _claim(engine, sid, 2)
    assert hand_in_replication(engine, sid, 2, '{"i": 2}', merge) == STORED
    assert get_results(engine, sid) is None and calls == []
    _claim(engine, sid, 0)
    assert hand_in_replication(engine, sid, 0, '{"i": 0}', merge) == MERGED
    assert calls == [['{"i": 0}', '{"i": 1}', '{"i": 2}']]  # replication order
    row = get_scenario(engine, sid)
    assert row["status"] == DONE and row["done_reps"] == 3 and row["completed"]
    assert json.loads(get_results(engine, sid)) == {"merged": [0, 1, 2]}
    assert _claim(engine, sid, 0).outcome == GONE  # a finished scenario runs nothing more
    assert hand_in_replication(engine, sid, 0, '{"i": 0}', merge) == GONE
    engine.dispose()


def test_two_last_hand_ins_at_the_same_moment_merge_exactly_once(db: str) -> None:
    engine = init_db(db)
    for _ in range(3):
        sid = _scenario(engine, 2)
        _claim(engine, sid, 0)
        _claim(engine, sid, 1)
        calls: list[list[str]] = []
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def slow_merge(texts: list[str], calls=calls) -> str:
            time.sleep(0.2)  # widen the window in which a second merge could start
            return _merge_calls(calls)(texts)

        def hand_in(index: int, sid=sid, start=start, outcomes=outcomes,
                    merge=slow_merge) -> None:
            start.wait()
            outcomes.append(hand_in_replication(engine, sid, index, f'{{"i": {index}}}',
                                                merge))

        threads = [threading.Thread(target=hand_in, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(outcomes) == [MERGED, STORED]
        assert len(calls) == 1 and len(calls[0]) == 2
        assert get_scenario(engine, sid)["status"] == DONE
    engine.dispose()


def test_attempts_are_bounded_and_superseded_jobs_stand_down(db: str) -> None:
    engine = init_db(db)
    sid = _scenario(engine, 2)
    assert _claim(engine, sid, 0, max_attempts=2, job_id="another-job").outcome == SUPERSEDED
    assert _claim(engine, sid, 0, max_attempts=2, job_id="fanout-x-rep0").attempt == 1
    assert not fail_replication(engine, sid, 0, "boom", final=False, job_id="fanout-x-rep0")
    assert _claim(engine, sid, 0, max_attempts=2).attempt == 2
    assert _claim(engine, sid, 0, max_attempts=2).outcome == EXHAUSTED

    # a worker died: the row is queued again under a new job, the old job stands down
    assert [r["replication"] for r in running_replications(engine, "h")] == [0]
    assert running_replications(engine, "elsewhere") == []
    assert requeue_replication(engine, sid, 0, "fanout-x-rep0-b", "its worker died")
    assert not requeue_replication(engine, sid, 1, "fanout-x-rep1-b", "not running")
    assert not fail_replication(engine, sid, 0, "late", final=True, job_id="fanout-x-rep0")
    assert get_scenario(engine, sid)["status"] == "running"

    assert fail_replication(engine, sid, 0, "ValueError: bad", final=True)
    row = get_scenario(engine, sid)
    assert row["status"] == FAILED
    assert row["error"] == "replication 1 failed after 2 attempt(s): ValueError: bad"
    assert _claim(engine, sid, 1).outcome == GONE
    engine.dispose()


def test_deleting_a_scenario_deletes_its_replication_rows(db: str) -> None:
    engine = init_db(db)
    sid = _scenario(engine, 4)
    keep = _scenario(engine, 2)
    assert delete_scenarios(engine, [sid]) == 1
    with reading(engine) as conn:
        left = conn.execute(select(replication_runs.c.scenario_id,
                                   func.count()).group_by(replication_runs.c.scenario_id)).all()
    assert [tuple(r) for r in left] == [(keep, 2)]
    engine.dispose()
