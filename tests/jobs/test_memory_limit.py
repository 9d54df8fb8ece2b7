"""The job memory limit holds while a job runs and is gone after it, also in-process.

Jobs run in the caller's process under RQ's SimpleWorker, a batch report without workers and
the tests. A limit left behind there made every later Chromium start crash (it reserves far
more address space than it uses), which is how the browser tests failed after a job test.
"""

from __future__ import annotations

import resource
import subprocess
import sys

import pytest

from hospital_twin.jobs.memory_limit import job_memory_mb, limited_job, memory_limited

MB = 1024 * 1024


def _soft_limit() -> int:
    return resource.getrlimit(resource.RLIMIT_AS)[0]


def test_the_limit_holds_in_the_body_and_in_its_children_and_is_restored() -> None:
    before = resource.getrlimit(resource.RLIMIT_AS)
    with memory_limited(3000):
        assert _soft_limit() == 3000 * MB
        probe = "import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0])"
        child = subprocess.run([sys.executable, "-c", probe],
                               capture_output=True, text=True, check=True)
        assert int(child.stdout) == 3000 * MB
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_the_limit_is_restored_after_a_failing_job_and_the_reason_kept() -> None:
    before = resource.getrlimit(resource.RLIMIT_AS)
    assert job_memory_mb() > 0  # the default setting limits every job
    with pytest.raises(MemoryError), limited_job(lambda exc: f"why: {type(exc).__name__}"):
        assert _soft_limit() == job_memory_mb() * MB
        raise MemoryError
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_zero_means_no_limit() -> None:
    before = resource.getrlimit(resource.RLIMIT_AS)
    with memory_limited(0):
        assert resource.getrlimit(resource.RLIMIT_AS) == before
