"""Concurrent writers (threads and separate processes) never hit "database is locked"."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

from hospital_twin.store import (
    NewScenario,
    create_scenarios,
    init_db,
    list_scenarios,
    mark_running,
    record_progress,
    store_results,
)

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


def test_threads_and_processes_write_at_once(tmp_path):
    path = tmp_path / "busy.db"
    engine = init_db(path)
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(path), f"p{n}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(4)]
    with ThreadPoolExecutor(8) as pool:
        counts = list(pool.map(lambda n: _thread_writer(engine, f"t{n}"), range(8)))
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert out.strip() == "ok"
    rows = list_scenarios(engine)
    assert sum(counts) == 160
    assert len(rows) == 160 + 4 * 15
    assert len({r["job_id"] for r in rows}) == len(rows)
    assert all(r["status"] == "done" and r["done_reps"] == r["num_reps"] for r in rows)
    engine.dispose()
