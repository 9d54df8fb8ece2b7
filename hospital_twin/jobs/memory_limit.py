"""A memory ceiling for every job process, so a runaway job fails with a clear reason.

The job function sets ``RLIMIT_AS`` (address space) in the RQ work-horse it runs in; the
papermill kernel it starts inherits it, as does every other child. An allocation beyond
the limit raises ``MemoryError`` or kills the kernel (papermill then reports a
``DeadKernelError``, or, when the kernel could still answer "error" but not say which, a
``CellExecutionError`` without a message); either way the job fails and its scenario is
marked failed with "job exceeded its memory limit of N MB" instead of the host swapping or
the kernel being killed without a word. The worker process itself is not limited.
"""

from __future__ import annotations

import resource
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from hospital_twin.settings import get_settings

#: Exception names (papermill reports the kernel's as ``ename``) that mean memory ran out.
_MEMORY_ERRORS = ("MemoryError", "DeadKernelError", "ArrayMemoryError", "_ArrayMemoryError")


def job_memory_mb() -> int:
    """The job memory limit of the current settings, MB (0: none)."""
    return int(get_settings().job_memory_mb)


@contextmanager
def memory_limited(mb: int) -> Iterator[None]:
    """Limit this process (and the processes it starts meanwhile) to ``mb`` MB of address
    space for the body (0: leave it as it is), then put the previous limit back.

    Putting it back matters when a job runs in its caller's process (RQ's SimpleWorker, a
    batch report without workers, the tests): a limit left behind would make that process's
    later children fail, e.g. Chromium, which reserves far more address space than it uses.
    Never raises the hard limit."""
    if mb <= 0:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def kernel_failed_silently(exc: BaseException) -> bool:
    """True for papermill's stand-in error of a cell that failed without an error of its
    own: the kernel answered "error" but could not even format the exception (IPython's
    traceback needs memory too) and then died. Under a memory limit that is the limit."""
    return getattr(exc, "ename", None) == "CellExecutionError" and not getattr(
        exc, "evalue", "")


def ran_out_of_memory(exc: BaseException) -> bool:
    """True for a failure that means the job hit its memory limit: a MemoryError in the
    job or its kernel, or a kernel that died (with or without a word)."""
    names = {type(exc).__name__, str(getattr(exc, "ename", ""))}
    return (isinstance(exc, MemoryError) or any(n in _MEMORY_ERRORS for n in names)
            or kernel_failed_silently(exc))


def memory_reason(mb: int, detail: str) -> str:
    """The stored error of a job that hit its limit."""
    return f"job exceeded its memory limit of {mb} MB ({detail})"


@contextmanager
def limited_job(reason_of: Callable[[BaseException], str]) -> Iterator[None]:
    """Run the body of a file-producing RQ job (report, forecast, validation) under the job
    memory limit; on any failure (RQ's timeout included) store one readable reason in the
    job's ``meta["reason"]`` before the job fails, naming the limit when memory ran out."""
    from rq import get_current_job

    memory_mb = job_memory_mb()
    try:
        with memory_limited(memory_mb):  # this work-horse and the kernel it starts
            yield
    except BaseException as exc:
        job = get_current_job()
        if job is not None:
            reason = reason_of(exc)
            if memory_mb and ran_out_of_memory(exc):
                reason = memory_reason(memory_mb, reason)
            job.meta["reason"] = reason
            job.save_meta()
        raise
