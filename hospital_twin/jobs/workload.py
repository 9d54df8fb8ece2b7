"""How much work a scenario asks for, estimated before it is queued, and the ceiling.

A workbook can be well formed and still absurd: 10^5 arrivals an hour is 33.6 million
specimens a week, which a worker would try to simulate until the host ran out of memory.
The estimate is the expected number of specimens (the arrival schedules' weekly sum scaled
to the run length) times the replications, and the memory one job needs for it. Figures
measured on the bundled lab (``benchmarks/model_speed.py`` style, one replication, 1-4 weeks,
1-10x demand): 2.6-6.4 kB of peak memory per specimen in a running replication, 3,400-23,000
specimens simulated per second, about 400 MB for the kernel before the first specimen.
"""

from __future__ import annotations

from dataclasses import dataclass

from hospital_twin.config import LabConfig
from hospital_twin.config.labels import HOURS_PER_WEEK
from hospital_twin.errors import ConfigError, ConfigProblem

#: Peak memory of a running replication per specimen that arrives in it (measured, rounded up).
PEAK_BYTES_PER_SPECIMEN = 6_500
#: Memory kept per specimen after a replication, until the job builds its results.
KEPT_BYTES_PER_SPECIMEN = 300
#: The job's kernel process before the first specimen (Python, numpy, pandas, SimPy).
JOB_BASE_MB = 400


@dataclass(frozen=True)
class Workload:
    """Expected specimens of one replication, replications, and replications per job."""

    specimens_per_replication: float
    replications: int
    replications_per_job: int

    @property
    def total_specimens(self) -> float:
        """Specimens simulated over all replications."""
        return self.specimens_per_replication * self.replications

    @property
    def job_memory_mb(self) -> float:
        """Memory one job needs: its kernel, one live replication, the kept outputs."""
        live = self.specimens_per_replication * PEAK_BYTES_PER_SPECIMEN
        kept = self.specimens_per_replication * self.replications_per_job * KEPT_BYTES_PER_SPECIMEN
        return JOB_BASE_MB + (live + kept) / 1e6


def estimate(config: LabConfig, fanout_reps: int = 0) -> Workload:
    """The workload of ``config`` with its run settings; a scenario with ``fanout_reps`` or
    more replications (0: never) runs one replication per job."""
    weekly = sum(config.expected_weekly_arrivals().values())
    reps = config.run.replications
    per_job = 1 if 0 < fanout_reps <= reps else reps
    return Workload(weekly * config.run.sim_hours / HOURS_PER_WEEK, reps, per_job)


class WorkloadTooLarge(ConfigError):
    """A scenario asking for more work or memory than the settings allow (HTTP 413)."""


def workload_problems(work: Workload, max_specimens: int, memory_mb: int) -> list[str]:
    """Why ``work`` is refused (empty: it may be queued). ``memory_mb`` 0: no memory limit."""
    problems = []
    if work.total_specimens > max_specimens:
        problems.append(
            f"this run would simulate about {work.total_specimens:,.0f} specimens "
            f"({work.specimens_per_replication:,.0f} per replication × {work.replications} "
            f"replications), more than the {max_specimens:,} allowed "
            "(setting HOSPITAL_TWIN_MAX_SCENARIO_SPECIMENS): shorten the run, use fewer "
            "replications or check the arrival schedules")
    if memory_mb > 0 and work.job_memory_mb > memory_mb:
        problems.append(
            f"one job of this run would need about {work.job_memory_mb:,.0f} MB of memory, "
            f"more than the job memory limit of {memory_mb:,} MB "
            "(setting HOSPITAL_TWIN_JOB_MEMORY_MB)")
    return problems


def check_workload(config: LabConfig, source: str = "", settings=None) -> None:
    """Raise :class:`WorkloadTooLarge` if ``config`` asks for more than the settings'
    ceilings (``HOSPITAL_TWIN_MAX_SCENARIO_SPECIMENS``, ``HOSPITAL_TWIN_JOB_MEMORY_MB``)."""
    from hospital_twin.settings import get_settings

    settings = settings or get_settings()
    work = estimate(config, settings.fanout_reps)
    problems = workload_problems(work, settings.max_scenario_specimens,
                                 settings.job_memory_mb)
    if problems:
        raise WorkloadTooLarge([ConfigProblem(p) for p in problems], source=source)
