"""What a report is about: a stored scenario, a stored analysis or a configuration file.

:class:`ReportRequest` holds the options of ``hospital-twin report`` and ``POST /reports``;
:meth:`ReportRequest.check` finds every problem before a notebook is started, so a report
of an unfinished scenario or of a broken workbook fails at once with a clear reason.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from hospital_twin.settings import get_settings

HOURS_PER_WEEK = 168.0


class ReportError(RuntimeError):
    """A report could not be made; the message says why (and where, for a workbook)."""


class ReportNotFound(ReportError):
    """The scenario or analysis to report does not exist."""


class ReportNotReady(ReportError):
    """The scenario or analysis to report has not finished (or failed)."""


@dataclass(frozen=True)
class ReportRequest:
    """Exactly one of ``scenario_id``, ``analysis_id`` or ``config_path``.

    ``weeks``, ``reps``, ``seed`` and ``warmup_hours`` apply to ``config_path`` runs only
    (stored scenarios keep the settings they ran with). ``db_url`` empty means the
    database of the current settings.
    """

    scenario_id: int | None = None
    analysis_id: int | None = None
    config_path: str | None = None
    weeks: float = 1.0
    reps: int = 2
    seed: int = 0
    warmup_hours: float = 0.0
    db_url: str = ""

    @property
    def kind(self) -> str:
        """``"scenario"``, ``"analysis"`` or ``"config"``."""
        given = [k for k, v in (("scenario", self.scenario_id), ("analysis", self.analysis_id),
                                ("config", self.config_path)) if v not in (None, "")]
        if len(given) != 1:
            raise ReportError("give exactly one of a scenario id, an analysis id or a "
                              f"configuration path (got {', '.join(given) or 'none'})")
        return given[0]

    @property
    def stem(self) -> str:
        """File name stem of the report, e.g. ``scenario-3`` or ``config-my-lab``."""
        kind = self.kind
        if kind == "scenario":
            return f"scenario-{self.scenario_id}"
        if kind == "analysis":
            return f"analysis-{self.analysis_id}"
        return "config-" + (re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(self.config_path).stem)
                            or "workbook")

    def resolved(self) -> ReportRequest:
        """A copy with the database URL and configuration path made absolute."""
        from hospital_twin.jobs.options import JobOptions

        db_url = self.db_url or JobOptions.from_settings(get_settings()).db_url
        path = str(Path(self.config_path).resolve()) if self.config_path else None
        return replace(self, db_url=db_url, config_path=path)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON (for RQ job arguments)."""
        return asdict(self)

    def parameters(self) -> dict[str, Any]:
        """The papermill parameters of ``notebooks/report.ipynb``."""
        req = self.resolved()
        return {"scenario_id": req.scenario_id or 0, "analysis_id": req.analysis_id or 0,
                "config_path": req.config_path or "", "weeks": float(req.weeks),
                "reps": int(req.reps), "seed": int(req.seed),
                "warmup_hours": float(req.warmup_hours), "db_url": req.db_url}

    def check(self) -> None:
        """Raise :class:`ReportError` (or ``ConfigError``) unless the report can be made."""
        from hospital_twin.reports.content import load_report_data

        kind = self.kind
        if self.reps < 1:
            raise ReportError(f"reps must be at least 1 (got {self.reps})")
        if not self.weeks > 0:
            raise ReportError(f"weeks must be more than 0 (got {self.weeks})")
        if kind == "config":
            from hospital_twin.jobs.workload import check_workload

            # reads and validates the workbook (ConfigError names the cell), then refuses
            # an absurd workload before anything is queued (WorkloadTooLarge)
            check_workload(self.run_config(), Path(self.config_path or "").name)
        else:
            load_report_data(scenario_id=self.scenario_id, analysis_id=self.analysis_id,
                             db_url=self.resolved().db_url)

    def run_config(self):  # -> LabConfig
        """The configuration file's LabConfig with this request's run settings."""
        from hospital_twin.config import ConfigError, load_config
        from hospital_twin.config.workbook import problems_from_validation_error

        path = Path(self.config_path or "")
        if not path.is_file():
            raise ConfigError(f"file not found: {path}", source=path.name)
        config = load_config(path)
        try:
            return config.with_run(sim_hours=self.weeks * HOURS_PER_WEEK,
                                   replications=int(self.reps), seed=int(self.seed),
                                   warmup_hours=float(self.warmup_hours))
        except ValueError as exc:  # pydantic ValidationError: warm-up longer than the run...
            errors = getattr(exc, "errors", None)
            if callable(errors):
                raise ConfigError(problems_from_validation_error(exc),
                                  source=path.name) from exc
            raise ReportError(str(exc)) from exc

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportRequest:
        """The inverse of :meth:`as_dict`."""
        return cls(**data)
