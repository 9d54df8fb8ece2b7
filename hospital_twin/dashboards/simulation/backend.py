"""The dashboard's access to the store and the job queue (same functions the API uses).

A thin adapter: it opens the database and Redis named by the settings once, and offers
the few operations the tabs need (list jobs, read results, submit, delete, report).
"""

from __future__ import annotations

import json
import shutil
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hospital_twin.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

DONE, FAILED = "done", "failed"  # scenario states (hospital_twin.store.schema)


@dataclass
class Backend:
    """Store and queue of one deployment (from :func:`~hospital_twin.settings.get_settings`)."""

    settings: Settings = field(default_factory=get_settings)

    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (database created/migrated once, on first use)."""
        with self._lock:  # the Jobs poller and a button may both ask first
            if self._engine is None:
                from hospital_twin.store import init_db

                self._engine = init_db(self.settings.db_url)
            return self._engine

    @cached_property
    def redis(self) -> Any:
        """A Redis client for the job queue (connected lazily)."""
        from hospital_twin.jobs.queue import connect

        return connect(self.settings.redis_url)

    # -- reading ---------------------------------------------------------------------
    def scenarios(self) -> list[dict[str, Any]]:
        """Every scenario's status object (``progress`` 0–1), oldest first."""
        from hospital_twin.store.views import scenario_views

        return scenario_views(self.engine)

    def analyses(self) -> list[dict[str, Any]]:
        """Every analysis's status object, oldest first."""
        from hospital_twin.store import list_analyses

        return list_analyses(self.engine)

    def done_scenarios(self) -> list[dict[str, Any]]:
        """Scenarios whose results are ready."""
        return [s for s in self.scenarios() if s["status"] == DONE]

    def results(self, scenario_id: int) -> dict[str, Any]:
        """A finished scenario's results dict; ValueError saying why if there are none."""
        from hospital_twin.store import get_results, get_scenario

        row = get_scenario(self.engine, scenario_id)
        if row is None:
            raise ValueError(f"scenario {scenario_id} no longer exists")
        if row["status"] == FAILED:
            raise ValueError(f"scenario {scenario_id} failed: {row['error']}")
        text = get_results(self.engine, scenario_id)
        if row["status"] != DONE or not text:
            raise ValueError(f"scenario {scenario_id} is not finished yet ({row['status']})")
        return json.loads(text)

    def config_json(self, scenario_id: int) -> str:
        """The configuration JSON a scenario was submitted with."""
        from hospital_twin.store import get_config_json

        text = get_config_json(self.engine, scenario_id)
        if not text:
            raise ValueError(f"scenario {scenario_id} has no stored configuration")
        return text

    def event_log_csv(self, scenario_id: int) -> bytes:
        """Replication 0 of a finished scenario as a LIMS event-log CSV.

        The stored results keep no per-specimen data, so replication 0 is simulated again
        from the stored configuration and run settings: a replication is a pure function of
        configuration, seed and index, so these are the specimens the job simulated."""
        from hospital_twin.jobs.scenario_run import run_config
        from hospital_twin.lims import event_log_csv
        from hospital_twin.model import run_replication
        from hospital_twin.store import get_scenario

        self.results(scenario_id)  # raises, saying why, unless the scenario is finished
        row = get_scenario(self.engine, scenario_id)
        config = run_config(self.config_json(scenario_id), scenario_id=scenario_id,
                            sim_hours=row["sim_hours"], num_reps=row["num_reps"],
                            seed=row["seed"], warmup_hours=row["warmup_hours"])
        return event_log_csv(run_replication(config, 0))

    def report_html(self, scenario_id: int) -> bytes:
        """The scenario's HTML report: for a finished scenario the batch report (the same
        function as ``hospital-twin report`` and ``POST /reports``, rendered once and kept);
        for a failed one its executed notebook, which shows where it stopped."""
        from hospital_twin.store import get_scenario

        row = get_scenario(self.engine, scenario_id)
        if row is None:
            raise ValueError(f"scenario {scenario_id} no longer exists")
        if row["status"] == DONE:
            return self._batch_report(row)
        notebook = row["notebook_path"]
        if row["status"] != FAILED or not notebook or not Path(notebook).exists():
            raise ValueError(f"scenario {scenario_id} has no report yet ({row['status']})")
        return self._notebook_html(row)

    def _notebook_html(self, row: dict[str, Any]) -> bytes:
        """The executed scenario notebook as HTML (rendered now if the job did not)."""
        from hospital_twin.store import set_report

        html = row["report_path"]
        if not html or not Path(html).exists():
            from hospital_twin.jobs.task import render_html

            notebook = row["notebook_path"]
            html = str(render_html(notebook, Path(notebook).with_suffix(".html")))
            set_report(self.engine, row["scenario_id"], None, html)
        return Path(html).read_bytes()

    def _report_dir(self, scenario_id: int) -> Path:
        return self.settings.reports_dir.resolve() / f"scenario-{scenario_id}-report"

    def _batch_report(self, row: dict[str, Any]) -> bytes:
        """A finished scenario's batch report, rendered on first request and kept beside
        the other reports. A scenario that kept no notebook of its own (fanned out) gets
        it recorded as its report, so the API serves it too."""
        from hospital_twin.reports import ReportRequest, render_report
        from hospital_twin.store import set_report

        sid = row["scenario_id"]
        request = ReportRequest(scenario_id=sid, db_url=self.settings.db_url)
        out = self._report_dir(sid)
        html = out / f"{request.stem}.html"
        if not html.exists():
            files = render_report(request, out)
            html = Path(files.html)
            if not _has_notebook(row["notebook_path"]):
                set_report(self.engine, sid, str(files.ipynb), str(html))
        return html.read_bytes()

    # -- validations against LIMS event logs (hospital_twin.lims) -----------------------
    @property
    def _validations_dir(self) -> str:
        from hospital_twin.jobs.options import JobOptions

        return JobOptions.from_settings(self.settings).report_dir

    def validations(self) -> list[dict[str, Any]]:
        """Every kept validation's state (``validation_id``, ``status``, ``log``, ``config``),
        newest first (``POST /validations`` and this dashboard share them)."""
        from hospital_twin.lims.jobs import list_validations, validation_state

        states = (validation_state(self.redis, self._validations_dir, v)
                  for v in list_validations(self._validations_dir))
        return [s for s in states if s is not None]

    def validation_result(self, validation_id: str) -> dict[str, Any]:
        """A finished validation's JSON; ValueError saying why if it has none."""
        from hospital_twin.lims.jobs import RESULT_FILE, validation_state

        state = validation_state(self.redis, self._validations_dir, validation_id)
        if state is None:
            raise ValueError(f"validation {validation_id} no longer exists")
        if state["status"] == FAILED:
            raise ValueError(f"validation {validation_id} failed: {state.get('error')}")
        if state["status"] != DONE:
            raise ValueError(f"validation {validation_id} is not finished yet "
                             f"({state['status']})")
        return json.loads((Path(self._validations_dir) / validation_id / RESULT_FILE)
                          .read_text(encoding="utf-8"))

    def validation_html(self, validation_id: str) -> bytes:
        """A finished validation's HTML report."""
        self.validation_result(validation_id)
        return (Path(self._validations_dir) / validation_id / "validation.html").read_bytes()

    def submit_validation(self, log_csv: bytes, log_name: str, config: Any, config_name: str,
                          reps: int, warmup_weeks: int, seed: int | None = None) -> str:
        """Queue a validation of ``config`` against a checked event log; returns its id."""
        from hospital_twin.jobs.options import JobOptions
        from hospital_twin.lims.jobs import submit_validation

        options = JobOptions.from_settings(self.settings)
        return submit_validation(self.redis, options.queue_name, options.report_dir,
                                 log_csv=log_csv, log_name=log_name, config=config,
                                 config_name=config_name, reps=reps, warmup_weeks=warmup_weeks,
                                 seed=seed, timeout=options.job_timeout,
                                 result_ttl=options.result_ttl)

    # -- writing ---------------------------------------------------------------------
    def submit(self, configs: list[tuple[str | None, Any]], *, analysis: bool = False,
               analysis_name: str | None = None) -> Any:
        """Store and enqueue prepared configurations (``jobs.submit_scenarios``)."""
        from hospital_twin.jobs.options import JobOptions
        from hospital_twin.jobs.submit import submit_scenarios

        return submit_scenarios(self.redis, self.engine, JobOptions.from_settings(self.settings),
                                configs, analysis=analysis, analysis_name=analysis_name)

    def delete(self, scenario_ids: list[int], analysis_id: int | None = None) -> int:
        """Delete scenarios (cancelling queued jobs, removing report files) and an analysis,
        as the API's DELETE routes do."""
        from hospital_twin.jobs.removal import remove_scenarios
        from hospital_twin.store import get_scenario

        rows = [r for r in (get_scenario(self.engine, s) for s in scenario_ids) if r]
        removed = remove_scenarios(self.redis, self.engine, rows, analysis_id)
        for sid in removed:  # the batch reports the Report button rendered
            shutil.rmtree(self._report_dir(sid), ignore_errors=True)
        return len(removed)


def _has_notebook(notebook: str | None) -> bool:
    """The scenario kept a notebook of its own: written, or still being saved by its job."""
    from hospital_twin.jobs.report_files import running_path

    return bool(notebook) and (Path(notebook).exists() or running_path(Path(notebook)).exists())
