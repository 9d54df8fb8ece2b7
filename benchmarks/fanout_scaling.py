"""Fan-out scaling: one scenario of 30 replications × 6 weeks on 1, 2 and 4 worker processes.

Starts a private redis-server, a fresh SQLite database and N real RQ worker processes,
submits the bundled lab as one fanned-out scenario (one job per replication) and prints
the wall time from submission to merged results, the speed-up over one worker and the
efficiency per core (speed-up / min(N, cores)).

    .venv/bin/python benchmarks/fanout_scaling.py [--reps 30] [--weeks 6] [--workers 1 2 4]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hospital_twin.config import default_config
from hospital_twin.jobs import JobOptions, connect, prepare, submit_scenarios
from hospital_twin.services.redis_server import RedisServer
from hospital_twin.settings import Settings
from hospital_twin.store import get_scenario, init_db


def run_once(workers: int, reps: int, weeks: float) -> float:
    """Seconds from submission to merged results with ``workers`` worker processes."""
    with RedisServer() as redis, tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp) / "var"
        env = dict(os.environ, HOSPITAL_TWIN_REDIS_URL=redis.url,
                   HOSPITAL_TWIN_VAR_DIR=str(var), HOSPITAL_TWIN_DB="")
        settings = Settings(redis_url=redis.url, var_dir=var, db="", fanout_reps=2)
        engine = init_db(settings.db_url)
        procs = [subprocess.Popen([sys.executable, "-m", "hospital_twin.jobs.worker"],
                                  env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for _ in range(workers)]
        try:
            time.sleep(4)  # let the workers start (not part of the run)
            config = prepare(default_config(), sim_hours=weeks * 168, num_reps=reps, seed=1)
            started = time.perf_counter()
            (sid,) = submit_scenarios(connect(redis.url), engine,
                                      JobOptions.from_settings(settings),
                                      [(None, config)]).scenario_ids
            while (row := get_scenario(engine, sid))["status"] not in ("done", "failed"):
                time.sleep(0.1)
            elapsed = time.perf_counter() - started
            if row["status"] != "done":
                raise SystemExit(f"scenario failed: {row['error']}")
            return elapsed
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(30)
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--weeks", type=float, default=6.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"{args.reps} replications × {args.weeks:g} weeks, fanned out; {cores} cores")
    base = None
    for n in args.workers:
        seconds = run_once(n, args.reps, args.weeks)
        base = base or seconds  # the first count given (1 by default) is the reference
        speedup = base / seconds
        print(f"{n} worker(s): {seconds:7.1f} s   speed-up {speedup:4.2f}×   "
              f"efficiency per core {speedup / min(n, cores):4.2f}")


if __name__ == "__main__":
    main()
