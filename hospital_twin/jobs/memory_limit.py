"""A memory ceiling for every job process, so a runaway job fails with a clear reason.

The job function sets ``RLIMIT_AS`` (address space) in the RQ work-horse it runs in; the
papermill kernel it starts inherits it, as does every other child. An allocation beyond
the limit raises ``MemoryError`` (or kills the kernel), the job fails and its scenario is
marked failed with "job exceeded its memory limit of N MB" instead of the host swapping or
the kernel being killed without a word. The worker process itself is not limited.
"""

from __future__ import annotations

import resource

from hospital_twin.settings import get_settings

#: Exception names (papermill reports the kernel's as ``ename``) that mean memory ran out.
_MEMORY_ERRORS = ("MemoryError", "DeadKernelError", "ArrayMemoryError", "_ArrayMemoryError")


def job_memory_mb() -> int:
    """The job memory limit of the current settings, MB (0: none)."""
    return int(get_settings().job_memory_mb)


def limit_memory(mb: int) -> None:
    """Limit this process (and the processes it starts) to ``mb`` MB of address space
    (0: leave it as it is). Never raises the hard limit."""
    if mb <= 0:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def ran_out_of_memory(exc: BaseException) -> bool:
    """True for a failure that means the job hit its memory limit."""
    names = {type(exc).__name__, str(getattr(exc, "ename", ""))}
    return isinstance(exc, MemoryError) or any(n in _MEMORY_ERRORS for n in names)


def memory_reason(mb: int, detail: str) -> str:
    """The stored error of a job that hit its limit."""
    return f"job exceeded its memory limit of {mb} MB ({detail})"
