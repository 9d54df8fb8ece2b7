"""Job overhead: submit → results stored, minus the model's own time (target ≤ 3 s).

Starts a private redis-server and one real forking RQ worker, submits short scenarios of
the bundled lab one after another and prints, per job, the time from submission to the
stored results minus the replications' wall time (``results["run"]["wall_seconds"]``):
queueing, fork, papermill kernel start, imports, KPIs and the database writes.

    .venv/bin/python benchmarks/job_overhead.py [--jobs 4] [--hours 48]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hospital_twin.config import default_config
from hospital_twin.jobs import JobOptions, connect, prepare, submit_scenarios
from hospital_twin.services.redis_server import RedisServer
from hospital_twin.settings import Settings
from hospital_twin.store import get_results, get_scenario, init_db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--hours", type=float, default=48.0)
    args = parser.parse_args()
    with RedisServer() as redis, tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, HOSPITAL_TWIN_REDIS_URL=redis.url,
                   HOSPITAL_TWIN_VAR_DIR=str(Path(tmp) / "var"), HOSPITAL_TWIN_DB="")
        settings = Settings(redis_url=redis.url, var_dir=Path(tmp) / "var")
        engine = init_db(settings.db_path)
        worker = subprocess.Popen([sys.executable, "-m", "hospital_twin.jobs.worker"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(3)  # let the worker start (not part of a job's overhead)
            overheads = []
            for i in range(args.jobs):
                config = prepare(default_config(), sim_hours=args.hours, num_reps=1, seed=i)
                started = time.time()
                sid = submit_scenarios(connect(redis.url), engine,
                                       JobOptions.from_settings(settings),
                                       [(None, config)]).scenario_ids[0]
                while get_scenario(engine, sid)["status"] not in ("done", "failed"):
                    time.sleep(0.01)
                row = get_scenario(engine, sid)
                if row["status"] != "done":
                    sys.exit(f"job failed: {row['error']}")
                model = json.loads(get_results(engine, sid))["run"]["wall_seconds"]
                total = row["completed"] - started
                overheads.append(total - model)
                print(f"job {i + 1}: submit→stored {total:.2f} s, model {model:.2f} s, "
                      f"overhead {total - model:.2f} s")
                time.sleep(1.5)  # the worker renders the HTML report after storing
        finally:
            worker.terminate()
            worker.wait(30)
            engine.dispose()
    print(f"job overhead: median {statistics.median(overheads):.2f} s, "
          f"max {max(overheads):.2f} s over {len(overheads)} jobs (target <= 3 s)")


if __name__ == "__main__":
    main()
