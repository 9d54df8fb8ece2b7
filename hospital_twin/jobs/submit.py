"""Submit scenarios: validate, store the rows (queued), enqueue one RQ job per scenario
(or, for many replications, one per replication: :mod:`hospital_twin.jobs.fanout`).

Validation happens before anything is stored. If Redis cannot take the jobs, the rows
just written are deleted again, so a failed submission leaves nothing behind. Scenarios
of one analysis share one seed (common random numbers).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field

from pydantic import ValidationError
from redis import Redis
from rq import Callback

from hospital_twin.config import ConfigError, LabConfig
from hospital_twin.config.dead_stages import config_warnings
from hospital_twin.config.workbook import problems_from_validation_error
from hospital_twin.jobs.fanout import enqueuer, fan_out, is_fanout, new_fanout_job_id
from hospital_twin.jobs.options import JobOptions
from hospital_twin.jobs.queue import QueueUnavailable, ping, scenario_queue
from hospital_twin.jobs.workload import check_workload
from hospital_twin.store import NewScenario, create_scenarios, delete_scenarios

JOB_FUNCTION = "hospital_twin.jobs.task.run_scenario_job"


@dataclass(frozen=True)
class Submitted:
    """Ids of what was stored and queued, and the warnings of its configurations
    (:func:`~hospital_twin.config.dead_stages.config_warnings`: the run goes ahead)."""

    analysis_id: int | None
    scenario_ids: list[int]
    job_ids: list[str]
    warnings: list[str] = field(default_factory=list)


def submission_warnings(configs: list[tuple[str | None, LabConfig]]) -> list[str]:
    """Every configuration's warnings, prefixed by its name when there are several."""
    several = len(configs) > 1
    return [f"{name}: {text}" if several and name else text
            for name, config in configs for text in config_warnings(config)]


def prepare(config: LabConfig, *, sim_hours: float, num_reps: int, seed: int,
            warmup_hours: float | None = None, source: str = "") -> LabConfig:
    """``config`` with the run settings of the submission, or ConfigError if they clash
    (:class:`~hospital_twin.jobs.workload.WorkloadTooLarge` if the run asks for more work
    or memory than the settings allow: refused before anything is queued)."""
    warmup = config.run.warmup_hours if warmup_hours is None else warmup_hours
    try:
        prepared = config.with_run(sim_hours=sim_hours, replications=num_reps, seed=seed,
                                   warmup_hours=warmup)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation_error(exc), source=source) from exc
    check_workload(prepared, source)
    return prepared


def fans_out(options: JobOptions, config: LabConfig) -> bool:
    """True if ``config`` runs as one job per replication (see :mod:`.fanout`)."""
    return 0 < options.fanout_reps <= config.run.replications


def new_seed() -> int:
    """A fresh random seed (stored with the scenario, so runs stay reproducible)."""
    return secrets.randbelow(2**31)


def submit_scenarios(connection: Redis, engine, options: JobOptions,
           configs: list[tuple[str | None, LabConfig]], *, analysis: bool = False,
           analysis_name: str | None = None) -> Submitted:
    """Store and enqueue prepared configurations (see :func:`prepare`).

    Raises :class:`QueueUnavailable` (and stores nothing) when Redis is unreachable.
    """
    ping(connection)
    new = [NewScenario(config_json=cfg.model_dump_json(), num_reps=cfg.run.replications,
                       sim_hours=cfg.run.sim_hours, warmup_hours=cfg.run.warmup_hours,
                       seed=cfg.run.seed, name=name,
                       job_id=new_fanout_job_id() if fans_out(options, cfg)
                       else f"scenario-{uuid.uuid4().hex}")
           for name, cfg in configs]
    analysis_id, ids = create_scenarios(engine, new, analysis=analysis,
                                        analysis_name=analysis_name)
    queue = scenario_queue(connection, options.queue_name)
    try:
        for sid, item in zip(ids, new, strict=True):
            if is_fanout(item.job_id):
                fan_out(engine, enqueuer(queue, options), sid, item.job_id, item.num_reps)
                continue
            queue.enqueue(
                JOB_FUNCTION, kwargs={"scenario_id": sid, "db_url": options.db_url,
                                      "report_dir": options.report_dir,
                                      "notebook": options.notebook,
                                      "timeout": options.job_timeout},
                job_id=item.job_id, job_timeout=options.job_timeout,
                result_ttl=options.result_ttl, failure_ttl=options.result_ttl,
                description=f"scenario {sid}",
                on_failure=Callback("hospital_twin.jobs.failures.on_job_failure"),
            )
    except Exception as exc:
        delete_scenarios(engine, ids, analysis_id)
        raise QueueUnavailable(f"the job queue (Redis) refused the job: {exc}") from exc
    return Submitted(analysis_id, ids, [n.job_id for n in new], submission_warnings(configs))
