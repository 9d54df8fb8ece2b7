"""Forecast jobs on the RQ queue the scenario workers serve (papermill, like scenarios).

The API checks and saves a forecast's inputs in a folder (:class:`ForecastInputs`) and
queues :func:`run_forecast_job`, which executes ``notebooks/forecast.ipynb`` with papermill;
the notebook runs the forecast and writes ``forecast.json`` beside the executed notebook.
:func:`forecast_status` reads the job back as ``queued``/``running``/``done``/``failed``
(with the failure's reason, stored in the job's ``meta`` as reports do).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis import Redis

from hospital_twin.config import LabConfig
from hospital_twin.forecast.run import forecast
from hospital_twin.reports.jobs import failure_reason
from hospital_twin.resources import notebooks_dir
from hospital_twin.state.snapshot import SnapshotRow

JOB_FUNCTION = "hospital_twin.forecast.jobs.run_forecast_job"
JOB_PREFIX = "forecast-"
RESULT_FILE = "forecast.json"
NOTEBOOK_FILE = "forecast.ipynb"


@dataclass
class ForecastInputs:
    """Everything one forecast needs, saved as plain JSON files in its folder."""

    config: LabConfig
    state: list[SnapshotRow]
    start: dt.datetime
    days: int
    reps: int

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.json").write_text(self.config.model_dump_json())
        (folder / "state.json").write_text(json.dumps(
            [row.model_dump(mode="json") for row in self.state]))
        (folder / "request.json").write_text(json.dumps(
            {"start": self.start.isoformat(), "days": self.days, "reps": self.reps}))
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> ForecastInputs:
        folder = Path(folder)
        request = json.loads((folder / "request.json").read_text())
        return cls(
            config=LabConfig.model_validate_json((folder / "config.json").read_text()),
            state=[SnapshotRow.model_validate(r)
                   for r in json.loads((folder / "state.json").read_text())],
            start=dt.datetime.fromisoformat(request["start"]),
            days=int(request["days"]), reps=int(request["reps"]),
        )

    def run(self, out_path: str | Path, workers: int | None = None) -> dict:
        """Run the forecast and write its JSON to ``out_path`` (atomically)."""
        result = forecast(self.config, self.state, self.start, self.days, self.reps,
                          workers=workers or os.cpu_count() or 1)
        out = Path(out_path)
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(result))
        tmp.replace(out)
        return result


def forecast_notebook_path() -> Path:
    """The job notebook papermill executes for a forecast."""
    return notebooks_dir() / "forecast.ipynb"


def run_forecast_job(folder: str, timeout: int) -> dict[str, str]:
    """The RQ job: execute the forecast notebook on the inputs in ``folder``."""
    import papermill

    from hospital_twin.jobs.memory_limit import limited_job

    out = Path(folder) / RESULT_FILE
    with limited_job(_reason):
        papermill.execute_notebook(
            str(forecast_notebook_path()), str(Path(folder) / NOTEBOOK_FILE),
            parameters={"inputs_dir": str(folder), "out_path": str(out)},
            kernel_name="python3", progress_bar=False, execution_timeout=timeout)
        if not out.is_file():
            raise RuntimeError("the forecast notebook finished without writing its JSON")
    return {"json": str(out), "ipynb": str(Path(folder) / NOTEBOOK_FILE)}


def _reason(exc: BaseException) -> str:
    """papermill wraps the cell's error: keep its last line, the readable part."""
    name = getattr(exc, "ename", None)
    if name:
        return f"{name}: {getattr(exc, 'evalue', '')}".strip()
    return failure_reason(exc)


def new_forecast_id() -> str:
    return f"{JOB_PREFIX}{uuid.uuid4().hex}"


def enqueue_forecast(connection: Redis, queue_name: str, folder: str | Path, *,
                     forecast_id: str, timeout: int = 900, result_ttl: int = 86400) -> str:
    """Queue one forecast job; raises ``QueueUnavailable`` if Redis is down."""
    from hospital_twin.jobs.queue import QueueUnavailable, ping, scenario_queue

    ping(connection)
    try:
        scenario_queue(connection, queue_name).enqueue(
            JOB_FUNCTION, kwargs={"folder": str(Path(folder).resolve()),
                                  "timeout": int(timeout)},
            job_id=forecast_id, job_timeout=int(timeout) + 60, result_ttl=result_ttl,
            failure_ttl=result_ttl, description=f"forecast {forecast_id}")
    except Exception as exc:
        raise QueueUnavailable(f"the job queue (Redis) refused the job: {exc}") from exc
    return forecast_id


def forecasts_dir(var_dir: str | Path) -> Path:
    """Where forecasts' inputs, executed notebooks and JSON are kept."""
    return Path(var_dir).resolve() / "forecasts"


def submit_forecast(connection: Redis, queue_name: str, var_dir: str | Path,
                    inputs: ForecastInputs, *, timeout: int = 900,
                    result_ttl: int = 86400) -> str:
    """Save checked inputs and queue their forecast; returns its id. On a queue failure
    the saved inputs are removed again (``QueueUnavailable`` is raised)."""
    import shutil

    forecast_id = new_forecast_id()
    folder = forecasts_dir(var_dir) / forecast_id
    try:
        inputs.save(folder)
        return enqueue_forecast(connection, queue_name, folder, forecast_id=forecast_id,
                                timeout=timeout, result_ttl=result_ttl)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # nothing half-stored
        raise


def read_forecast(connection: Redis, var_dir: str | Path, forecast_id: str
                  ) -> tuple[dict[str, Any] | None, dict | None]:
    """The job's status (None: unknown) and, once done, the forecast JSON."""
    result_file = forecasts_dir(var_dir) / forecast_id / RESULT_FILE
    state = forecast_status(connection, forecast_id)
    if state is None and result_file.is_file():  # the job expired from Redis
        state = {"forecast_id": forecast_id, "status": "done"}
    if state is None or state["status"] != "done" or not result_file.is_file():
        return state, None
    return state, json.loads(result_file.read_text())


def forecast_status(connection: Redis, forecast_id: str) -> dict[str, Any] | None:
    """``{"forecast_id", "status"[, "error"]}``, or None if Redis no longer knows the job."""
    from hospital_twin.reports.jobs import report_status

    status = report_status(connection, forecast_id)
    if status is None:
        return None
    state: dict[str, Any] = {"forecast_id": forecast_id, "status": status.status}
    return state | ({"error": status.error} if status.error else {})
