"""Worker processes: each is a forking RQ worker on the scenario queue.

``run_worker`` is one worker (sweeps abandoned jobs first; between jobs it queues again
replications of fanned-out scenarios whose process died); ``run_workers`` starts N of
them as child processes, streams their logs to the terminal and stops them on
SIGINT/SIGTERM: the first signal lets running jobs finish (warm stop), a second one, or
``grace`` seconds, stops them at once (cold stop: the running job is killed and marked
failed, or queued again when it may be retried), and a worker still alive
``KILL_AFTER_S`` later is killed.

Why the stop is only *recorded* in the signal handler: RQ raises ``StopRequested`` from
inside its handler, wherever the worker happens to be. Landing in a maintenance round
(or any ``except Exception``), the exception was swallowed and the stop lost: the idle
worker went on waiting for jobs until the supervisor's grace ran out (the flaky
``worker --count 2`` that did not exit within 30 s of Ctrl-C). :class:`TwinWorker`
acts on the request only at points where stopping is safe. A second cause of the same
symptom was RQ's teardown waiting on its command-channel reader (see
:meth:`TwinWorker.subscribe`).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import subprocess
import sys
import time
from typing import Any

from redis.exceptions import RedisError
from rq import Worker
from rq.exceptions import StopRequested
from rq.serializers import JSONSerializer
from rq.worker import WorkerStatus

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
#: Longest wait for a job between two looks at a pending stop request (seconds).
STOP_CHECK_S = 2
#: Seconds after the cold stop before the supervisor kills a worker that is still alive.
KILL_AFTER_S = 10.0


#: RQ's own log lines for every maintenance round, i.e. every ``MAINTENANCE_S`` seconds of
#: an idle worker: six lines a minute that bury the job lines of ``make run``. What a round
#: finds (lost replications, abandoned scenarios) is logged by this module as warnings.
_MAINTENANCE_LINES = frozenset({
    "Worker %s: cleaning registries for queue: %s",
    "Worker %s: cleaning group registries",
})


def _not_a_maintenance_line(record: logging.LogRecord) -> bool:
    return record.msg not in _MAINTENANCE_LINES


class TwinWorker(Worker):
    """An RQ worker that stops promptly and safely on SIGINT/SIGTERM, and that also queues
    again replications whose process died on this host."""

    options: JobOptions | None = None
    _cold_stop = False

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if _not_a_maintenance_line not in self.log.filters:
            self.log.addFilter(_not_a_maintenance_line)

    # -- stopping -----------------------------------------------------------------------
    def _shutdown(self) -> None:
        """First SIGINT/SIGTERM (from RQ's handler): record it, never raise from here."""
        self._stop_requested = True
        if self.get_state() == WorkerStatus.BUSY:
            log.warning("Worker %s: stopping after the running job (a second signal, or the "
                        "grace period running out, stops it at once)", self.name)
            with contextlib.suppress(RedisError):  # only informs monitoring tools
                self.set_shutdown_requested_date()
        else:
            log.warning("Worker %s: stopping (no job running)", self.name)

    def request_force_stop(self, signum: int, frame: Any) -> None:
        """Second SIGINT/SIGTERM: kill the running job's process and stop.

        The killed work-horse is reaped by RQ's monitor, which fails (or retries) the job
        and calls :meth:`handle_work_horse_killed`; the loop then ends at a safe point.
        """
        self._stop_requested = self._cold_stop = True
        if self.horse_pid:
            log.warning("Worker %s: stopping now: killing the running job (process %s)",
                        self.name, self.horse_pid)
            self.kill_horse()
        else:
            log.warning("Worker %s: stopping now (no job running)", self.name)

    @property
    def should_run_maintenance_tasks(self) -> bool:
        """Also the safe point where a recorded stop ends an idle worker's loop.

        RQ reads this first thing in each round of its work loop and of its wait for a
        job, before anything is taken from the queue.
        """
        if self._stop_requested and self.get_state() != WorkerStatus.BUSY:
            raise StopRequested()
        return super().should_run_maintenance_tasks

    @property
    def dequeue_timeout(self) -> int:
        """Wait at most ``STOP_CHECK_S`` for a job, so a stop request is seen promptly."""
        return STOP_CHECK_S

    def subscribe(self) -> None:
        """RQ's command channel, read by a thread that looks for its stop every second.

        RQ's reader waits up to 60 s per read; on shutdown RQ joins it for 1 s and then
        closes the pubsub under it, which could block until that read ended: an idle
        worker that had finished its loop lingered for up to a minute before exiting.
        """
        self.log.info("Worker %s: subscribing to channel %s", self.name,
                      self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler)

    def unsubscribe(self) -> None:
        """Stop the reader first, then leave the channel; never wait long for either."""
        if not self.pubsub_thread:
            return
        self.log.info("Worker %s: unsubscribing from channel %s", self.name,
                      self.pubsub_channel_name)
        self.pubsub_thread.stop()
        with contextlib.suppress(RedisError):
            self.pubsub.unsubscribe()
        self.pubsub_thread.join(timeout=2 * STOP_CHECK_S)
        if not self.pubsub_thread.is_alive():  # else the process exit closes the socket
            self.pubsub.close()

    def handle_work_horse_killed(self, job: Any, retpid: int | None, ret_val: int | None,
                                 rusage: Any) -> None:
        if not self._cold_stop:
            super().handle_work_horse_killed(job, retpid, ret_val, rusage)
            return
        log.warning("Worker %s: job %s stopped by the worker's shutdown", self.name, job.id)
        on_horse_killed(job, retpid, ret_val, rusage,
                        reason="stopped: its worker was shut down (SIGINT/SIGTERM) before "
                               "the job finished")

    # -- maintenance --------------------------------------------------------------------
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


def _say(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} hospital-twin worker: {message}", file=sys.stderr,
          flush=True)


def run_workers(count: int, grace: float = 30.0, kill_after: float = KILL_AFTER_S) -> int:
    """Run ``count`` worker processes until SIGINT/SIGTERM; returns the exit status.

    The first signal asks every worker to stop after its running job (warm stop); a second
    signal, or ``grace`` seconds, stops running jobs at once (cold stop); a worker still
    alive ``kill_after`` seconds after that is killed.
    """
    procs: list[subprocess.Popen] = []
    stops: list[float] = []  # when the warm and the cold stop were sent

    def stop(_signum: int, _frame: object) -> None:
        if len(stops) >= 2:
            return
        stops.append(time.monotonic())
        _say(f"stopping workers after their running jobs (grace period {grace:g} s)"
             if len(stops) == 1 else "stopping workers now: running jobs are stopped")
        _signal_all(procs, signal.SIGTERM)

    # handlers first: a signal during start-up must not leave orphaned workers behind
    old = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    killed = False
    try:
        # own process groups: a terminal's Ctrl-C reaches only this supervisor, which
        # forwards it
        for _ in range(count):
            procs.append(subprocess.Popen([sys.executable, "-m", "hospital_twin.jobs.worker"],
                                          process_group=0))
        if stops:  # stopped while starting
            _signal_all(procs, signal.SIGTERM)
        while any(p.poll() is None for p in procs):
            if len(stops) == 1 and time.monotonic() - stops[0] >= grace:
                stop(signal.SIGTERM, None)
            if len(stops) == 2 and not killed and time.monotonic() - stops[1] >= kill_after:
                _say(f"killing workers still running {kill_after:g} s after the stop")
                _signal_all(procs, signal.SIGKILL)
                killed = True
            time.sleep(0.1)
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    if stops:
        _say("all workers stopped")
    return 0 if (stops and not killed) or all(p.returncode == 0 for p in procs) else 1


if __name__ == "__main__":  # one worker process (started by run_workers)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    run_worker()
