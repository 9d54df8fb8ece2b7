"""Concurrent writers (threads and separate processes) on both engines: nothing is lost,
nothing fails with "database is locked", and a late progress report never undoes a finish."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from hospital_twin.store import (
    DONE,
    NewScenario,
    create_scenarios,
    get_scenario,
    init_db,
    list_scenarios,
    mark_running,
    record_progress,
    scenario_info,
    scenarios,
    store_results,
    writing,
)
from hospital_twin.store.scenarios import lock_unfinished

WORKER = textwrap.dedent("""
    import sys
    from hospital_twin.store import (NewScenario, create_scenarios, init_db, mark_running,
                                     record_progress, store_results)
    engine = init_db(sys.argv[1])
    tag = sys.argv[2]
    for i in range(15):
        _, (sid,) = create_scenarios(engine, [NewScenario("{}", 5, 1.0, 0.0, 1, f"{tag}-{i}")])
        mark_running(engine, sid, tag, 1)
        for done in range(1, 6):
            assert record_progress(engine, sid, done)
        assert store_results(engine, sid, "{}")
    print("ok")
""")


def _thread_writer(engine, tag: str) -> int:
    count = 0
    for i in range(10):
        _, ids = create_scenarios(
            engine, [NewScenario("{}", 2, 1.0, 0.0, 1, f"{tag}-{i}-{k}") for k in range(2)],
            analysis=True)
        for sid in ids:
            mark_running(engine, sid, tag, 1)
            record_progress(engine, sid, 1)
            store_results(engine, sid, "{}")
            count += 1
    return count


def test_threads_and_processes_write_at_once(db):
    engine = init_db(db)
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, db, f"p{n}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(4)]
    try:
        with ThreadPoolExecutor(8) as pool:
            counts = list(pool.map(lambda n: _thread_writer(engine, f"t{n}"), range(8)))
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert out.strip() == "ok"
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    rows = list_scenarios(engine)
    assert sum(counts) == 160
    assert len(rows) == 160 + 4 * 15
    assert len({r["job_id"] for r in rows}) == len(rows)
    assert len({r["scenario_id"] for r in rows}) == len(rows)
    assert all(r["status"] == "done" and r["done_reps"] == r["num_reps"] for r in rows)
    engine.dispose()


def test_progress_waits_for_a_finishing_writer_and_then_refuses(db):
    """A progress report that arrives while the scenario is being finished waits for that
    transaction (SQLite: the write lock; PostgreSQL: the row lock of ``FOR UPDATE``) and
    then sees the scenario done: ``done_reps`` stays at ``num_reps``."""
    engine = init_db(db)
    _, (sid,) = create_scenarios(engine, [NewScenario("{}", 5, 1.0, 0.0, 1, "race")])
    assert mark_running(engine, sid, "h", 1)
    assert record_progress(engine, sid, 2)
    finishing = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        with writing(engine) as conn:  # what store_results does, held open
            assert lock_unfinished(conn, sid)
            conn.execute(scenario_info.update().where(scenario_info.c.scenario_id == sid)
                         .values(status=DONE))
            conn.execute(scenarios.update().where(scenarios.c.scenario_id == sid)
                         .values(results="{}", completed=time.time(),
                                 done_reps=scenarios.c.num_reps))
            late = pool.submit(lambda: (finishing.set(), record_progress(engine, sid, 3))[1])
            finishing.wait(10)
            time.sleep(0.5)
            assert not late.done(), "the late report did not wait for the finishing writer"
        assert late.result(timeout=60) is False
    row = get_scenario(engine, sid)
    assert (row["status"], row["done_reps"]) == (DONE, 5)
    engine.dispose()
