"""Validation jobs on the RQ queue the scenario workers serve (``POST /validations``).

The API checks the uploaded log and configuration, stores both in a folder of their own
(``<reports dir>/validation-<hex>/``: ``log.csv``, ``config.json``) and queues
:func:`run_validation_job`, which validates, writes ``validation.json`` and renders
``validation.html`` beside them. A failure's reason is kept in the job's ``meta`` (one
readable sentence), as for report jobs, whose status reader this shares.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from redis import Redis

from hospital_twin.config import LabConfig

JOB_FUNCTION = "hospital_twin.lims.jobs.run_validation_job"
JOB_PREFIX = "validation-"
LOG_FILE, CONFIG_FILE, RESULT_FILE = "log.csv", "config.json", "validation.json"


def new_validation_id() -> str:
    """A fresh validation (= RQ job) id."""
    return f"{JOB_PREFIX}{uuid.uuid4().hex}"


def store_inputs(folder: Path, log_csv: bytes, config: LabConfig, config_name: str,
                 log_name: str) -> None:
    """Keep the checked inputs where the job will read them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / LOG_FILE).write_bytes(log_csv)
    (folder / CONFIG_FILE).write_text(config.model_dump_json(), encoding="utf-8")
    (folder / "names.json").write_text(json.dumps({"log": log_name, "config": config_name}))


def run_validation_job(folder: str, reps: int, warmup_weeks: int, seed: int | None,
                       timeout: int) -> dict[str, str]:
    """The RQ job: validate the stored log against the stored configuration."""
    from hospital_twin.config import config_from_json
    from hospital_twin.jobs.memory_limit import limited_job
    from hospital_twin.lims.reader import read_event_log
    from hospital_twin.lims.validate import WarmUpStart, validate
    from hospital_twin.lims.validation_report import render_validation_report
    from hospital_twin.reports.jobs import failure_reason

    base = Path(folder)
    with limited_job(failure_reason):
        names = json.loads((base / "names.json").read_text())
        log = read_event_log(base / LOG_FILE, name=names["log"])
        config = config_from_json((base / CONFIG_FILE).read_bytes(), source=names["config"])
        result = validate(log, config, reps=reps, seed=seed,
                          start_state=WarmUpStart(warmup_weeks))
        out = base / RESULT_FILE
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(result.to_json() | {"config": names["config"]}))
        tmp.replace(out)
        files = render_validation_report(out, base, stem="validation", timeout=timeout)
    return {"json": str(out), "html": str(files.html)}


def enqueue_validation(connection: Redis, queue_name: str, folder: Path, *, reps: int,
                       warmup_weeks: int, seed: int | None, timeout: int, result_ttl: int,
                       validation_id: str) -> str:
    """Queue one validation job; raises ``QueueUnavailable`` if Redis is down."""
    from hospital_twin.jobs.queue import QueueUnavailable, ping, scenario_queue

    ping(connection)
    kwargs: dict[str, Any] = {"folder": str(folder.resolve()), "reps": int(reps),
                              "warmup_weeks": int(warmup_weeks), "seed": seed,
                              "timeout": int(timeout)}
    try:
        scenario_queue(connection, queue_name).enqueue(
            JOB_FUNCTION, kwargs=kwargs, job_id=validation_id, job_timeout=int(timeout) + 60,
            result_ttl=result_ttl, failure_ttl=result_ttl,
            description=f"validation {validation_id}")
    except Exception as exc:
        raise QueueUnavailable(f"the job queue (Redis) refused the job: {exc}") from exc
    return validation_id


def submit_validation(connection: Redis, queue_name: str, report_dir: str | Path, *,
                      log_csv: bytes, log_name: str, config: LabConfig, config_name: str,
                      reps: int = 30, warmup_weeks: int = 4, seed: int | None = None,
                      timeout: int = 3600, result_ttl: int = 86400) -> str:
    """Keep checked inputs in a new folder and queue their validation; returns its id.

    The folder is removed again if the queue refuses the job (nothing half-kept)."""
    import shutil

    validation_id = new_validation_id()
    folder = Path(report_dir) / validation_id
    store_inputs(folder, log_csv, config, config_name, log_name)
    try:
        return enqueue_validation(connection, queue_name, folder, reps=reps,
                                  warmup_weeks=warmup_weeks, seed=seed, timeout=timeout,
                                  result_ttl=result_ttl, validation_id=validation_id)
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def validation_state(connection: Redis, report_dir: str | Path, validation_id: str
                     ) -> dict[str, Any] | None:
    """``{validation_id, status[, error], log, config}``; None if unknown (or expired)."""
    from hospital_twin.reports.jobs import report_status

    folder = Path(report_dir) / validation_id
    status = report_status(connection, validation_id)
    done = (folder / RESULT_FILE).is_file() and (folder / "validation.html").is_file()
    if status is None and not done:
        return None
    state: dict[str, Any] = {"validation_id": validation_id,
                             "status": status.status if status else "done"}
    if status is not None and status.error:
        state["error"] = status.error
    names = folder / "names.json"
    if names.is_file():
        state |= json.loads(names.read_text())
    return state


def list_validations(report_dir: str | Path) -> list[str]:
    """Ids of the validations kept in ``report_dir``, newest first."""
    root = Path(report_dir)
    if not root.is_dir():
        return []
    folders = [p for p in root.glob(f"{JOB_PREFIX}*") if (p / "names.json").is_file()]
    return [p.name for p in sorted(folders, key=lambda p: p.stat().st_mtime, reverse=True)]
