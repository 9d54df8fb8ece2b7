"""What a job needs to know besides the scenario id, taken from the submitter's settings.

The submitter decides where results go (database URL, report folder), so a worker on
another machine only needs to reach the same database and folder.
"""

from __future__ import annotations

from dataclasses import dataclass

from hospital_twin.settings import Settings
from hospital_twin.store import database_url


@dataclass(frozen=True)
class JobOptions:
    """Queue, limits and locations for scenario jobs."""

    redis_url: str
    queue_name: str
    db_url: str
    report_dir: str
    notebook: str
    job_timeout: int
    result_ttl: int
    fanout_reps: int = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> JobOptions:
        """Options from the one settings object (paths made absolute)."""
        return cls(
            redis_url=settings.redis_url,
            queue_name=settings.queue_name,
            db_url=database_url(settings.db_url),
            report_dir=str(settings.reports_dir.resolve()),
            notebook=str(settings.notebook_path.resolve()),
            job_timeout=int(settings.job_timeout),
            result_ttl=int(settings.result_ttl),
            fanout_reps=int(settings.fanout_reps),
        )
