"""Worker processes: each is a forking RQ worker on the scenario queue.

``run_worker`` is one worker (sweeps abandoned jobs first; between jobs it queues again
replications of fanned-out scenarios whose process died); ``run_workers`` starts N of
them as child processes, streams their logs to the terminal and stops them on
SIGINT/SIGTERM: the first signal lets running jobs finish (warm stop), a second one, or
``grace`` seconds, stops them at once (their scenarios are then failed by the next sweep).
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time

from rq import Worker
from rq.serializers import JSONSerializer

import hospital_twin.jobs.task  # noqa: F401  (imports papermill once, before forking)
from hospital_twin.jobs.failures import on_horse_killed
from hospital_twin.jobs.fanout import rescue_with
from hospital_twin.jobs.options import JobOptions
from hospital_twin.jobs.queue import connect, scenario_queue
from hospital_twin.jobs.sweep import sweep_abandoned
from hospital_twin.settings import Settings, get_settings
from hospital_twin.store import init_db

log = logging.getLogger(__name__)

#: Seconds between a worker's maintenance rounds (registry clean-up, lost replications);
#: an idle worker wakes at least every ``WORKER_TTL_S - 15`` seconds to run them.
MAINTENANCE_S = 10
WORKER_TTL_S = 35


class TwinWorker(Worker):
    """An RQ worker that also queues again replications whose process died on this host."""

    options: JobOptions | None = None

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        if self.options is None:
            return
        try:
            rescued = rescue_with(self.connection, self.options)
        except Exception:  # maintenance must never stop the worker
            log.exception("could not check for lost replications")
            return
        if rescued:
            log.warning("queued lost replications again: %s", rescued)


def run_worker(settings: Settings | None = None, *, burst: bool = False) -> bool:
    """Run one forking RQ worker until stopped (or the queue is empty with ``burst``)."""
    settings = settings or get_settings()
    connection = connect(settings.redis_url, blocking=True)
    engine = init_db(settings.db_url)
    try:
        failed = sweep_abandoned(engine, connection, settings.queue_name)
        if failed:
            log.warning("marked abandoned scenarios failed: %s", failed)
    finally:
        engine.dispose()  # no open database handles across the fork
    worker = TwinWorker([scenario_queue(connection, settings.queue_name)],
                        connection=connection, serializer=JSONSerializer,
                        work_horse_killed_handler=on_horse_killed, job_monitoring_interval=10,
                        worker_ttl=WORKER_TTL_S, maintenance_interval=MAINTENANCE_S)
    worker.options = JobOptions.from_settings(settings)
    return worker.work(burst=burst, logging_level="INFO", with_scheduler=False)


def _signal_all(procs: list[subprocess.Popen], sig: int) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(sig)


def run_workers(count: int, grace: float = 30.0) -> int:
    """Run ``count`` worker processes until SIGINT/SIGTERM; returns the exit status."""
    # own process groups: a terminal's Ctrl-C reaches only this supervisor, which forwards it
    procs = [subprocess.Popen([sys.executable, "-m", "hospital_twin.jobs.worker"],
                              process_group=0) for _ in range(count)]
    stops: list[float] = []

    def stop(_signum: int, _frame: object) -> None:
        stops.append(time.monotonic())
        _signal_all(procs, signal.SIGTERM)

    old = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while any(p.poll() is None for p in procs):
            if stops and time.monotonic() - stops[0] > grace and len(stops) < 2:
                stops.append(time.monotonic())
                _signal_all(procs, signal.SIGTERM)
            time.sleep(0.2)
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    return 0 if stops or all(p.returncode == 0 for p in procs) else 1


if __name__ == "__main__":  # one worker process (started by run_workers)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    run_worker()
