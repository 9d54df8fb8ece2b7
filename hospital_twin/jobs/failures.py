"""Turning every way a job can die into a failed scenario with a readable reason.

* an exception in the job or its notebook, or a timeout: RQ's ``on_failure`` callback
  (and the job's own ``except``) marks the scenario failed;
* the work-horse killed (OOM, SIGKILL): the worker's ``work_horse_killed_handler``;
* the whole worker lost: :mod:`hospital_twin.jobs.sweep` at the next start-up.
"""

from __future__ import annotations

import logging
import os
import traceback
from typing import Any

from hospital_twin.jobs.memory_limit import kernel_failed_silently
from hospital_twin.jobs.report_files import publish_notebook, report_paths
from hospital_twin.store import make_engine, mark_failed

log = logging.getLogger(__name__)


def fail_scenario(db_url: str, scenario_id: int, reason: str) -> bool:
    """Mark the scenario failed (if still unfinished); never raises."""
    try:
        engine = make_engine(db_url)
        try:
            return mark_failed(engine, int(scenario_id), reason)
        finally:
            engine.dispose()
    except Exception:  # a broken database must not take the worker down
        log.exception("could not mark scenario %s failed", scenario_id)
        return False


def describe(exc_type: type[BaseException] | None, exc: BaseException | None) -> str:
    """A one-paragraph reason from an exception (papermill errors name the notebook cell)."""
    if exc is None:
        return exc_type.__name__ if exc_type else "unknown error"
    ename = getattr(exc, "ename", None)
    if kernel_failed_silently(exc):  # papermill's stand-in for a kernel that said nothing
        return (f"the notebook kernel failed in cell {getattr(exc, 'exec_count', '?')} of "
                "the scenario notebook and died without reporting an error")
    if ename:  # papermill.exceptions.PapermillExecutionError
        return (f"{ename}: {getattr(exc, 'evalue', '')} "
                f"(in cell {getattr(exc, 'exec_count', '?')} of the scenario notebook)")
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text or type(exc).__name__


def on_job_failure(job: Any, connection: Any, exc_type: Any, value: Any, tb: Any) -> None:
    """RQ ``on_failure`` callback (also run for jobs abandoned by a dead worker)."""
    kwargs = job.kwargs or {}
    if "scenario_id" in kwargs:
        fail_scenario(kwargs["db_url"], kwargs["scenario_id"], describe(exc_type, value))


def on_horse_killed(job: Any, retpid: int | None, ret_val: int | None, rusage: Any,
                    reason: str | None = None) -> None:
    """Worker's ``work_horse_killed_handler``: the process running the job died.

    ``reason`` replaces the default one ("... was killed by signal N"), e.g. when the
    worker itself killed it on shutdown.
    """
    kwargs = job.kwargs or {}
    if "scenario_id" not in kwargs:
        return
    if reason is None:
        signal_text = ""
        if ret_val is not None and os.WIFSIGNALED(ret_val):
            signal_text = f" by signal {os.WTERMSIG(ret_val)}"
        reason = f"the worker process running the job (pid {retpid}) was killed{signal_text}"
    if "replication" in kwargs:  # one replication of a fanned-out scenario: may be retried
        from hospital_twin.jobs.fanout import on_replication_failure

        on_replication_failure(job, None, RuntimeError, RuntimeError(reason), None)
        return
    if kwargs.get("report_dir"):  # the notebook as far as it got, shown with the reason
        try:
            ipynb, _ = report_paths(kwargs["report_dir"], int(kwargs["scenario_id"]))
            publish_notebook(ipynb)
        except OSError:
            log.exception("could not keep the notebook of scenario %s", kwargs["scenario_id"])
    fail_scenario(kwargs["db_url"], kwargs["scenario_id"], reason)
