"""Scenario jobs: RQ on Redis, each job running the parameterised scenario notebook.

:func:`~hospital_twin.jobs.submit.submit` stores and enqueues; workers
(:mod:`~hospital_twin.jobs.worker`) run :func:`~hospital_twin.jobs.task.run_scenario_job`,
which executes ``notebooks/scenario.ipynb`` with papermill; the notebook calls
:class:`~hospital_twin.jobs.scenario_run.ScenarioRun`. Failures of every kind end as a
failed scenario with a reason (:mod:`~hospital_twin.jobs.failures`,
:mod:`~hospital_twin.jobs.sweep`).

Names are imported lazily so the notebook kernel, which only needs ``scenario_run``,
does not pay for RQ and Redis.
"""

from __future__ import annotations

from hospital_twin.lazy_exports import lazy_exports

_EXPORTS = {
    "JobOptions": "hospital_twin.jobs.options",
    "QueueUnavailable": "hospital_twin.jobs.queue",
    "connect": "hospital_twin.jobs.queue",
    "ping": "hospital_twin.jobs.queue",
    "scenario_queue": "hospital_twin.jobs.queue",
    "Submitted": "hospital_twin.jobs.submit",
    "new_seed": "hospital_twin.jobs.submit",
    "prepare": "hospital_twin.jobs.submit",
    "submit_scenarios": "hospital_twin.jobs.submit",
}

__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
