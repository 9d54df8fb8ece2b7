"""The job memory limit holds while a job runs and is gone after it, also in-process.

Jobs run in the caller's process under RQ's SimpleWorker, a batch report without workers and
the tests. A limit left behind there made every later Chromium start crash (it reserves far
more address space than it uses), which is how the browser tests failed after a job test.
And a job whose notebook kernel runs away until the limit kills it fails naming the limit.
"""

from __future__ import annotations

import dataclasses
import resource
import subprocess
import sys

import nbformat
import pytest
from twin_helpers import wait_until

from hospital_twin.config import default_config
from hospital_twin.jobs import submit_scenarios
from hospital_twin.jobs.memory_limit import job_memory_mb, limited_job, memory_limited
from hospital_twin.store import get_scenario

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


def test_every_shape_of_a_kernel_dying_counts_as_the_limit() -> None:
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from hospital_twin.jobs.failures import describe
    from hospital_twin.jobs.memory_limit import ran_out_of_memory

    silent = PapermillExecutionError(2, 3, "", "CellExecutionError", "", [])
    assert ran_out_of_memory(DeadKernelError("Kernel died")) and ran_out_of_memory(silent)
    assert describe(type(silent), silent) == ("the notebook kernel failed in cell 3 of the "
                                              "scenario notebook and died without reporting "
                                              "an error")
    reported = PapermillExecutionError(2, 3, "", "ValueError", "bad input", [])
    assert not ran_out_of_memory(reported)


def test_zero_means_no_limit() -> None:
    before = resource.getrlimit(resource.RLIMIT_AS)
    with memory_limited(0):
        assert resource.getrlimit(resource.RLIMIT_AS) == before


#: A runaway cell: it keeps allocating, ever smaller, whatever MemoryError says, then
#: prints; with its address space full the kernel cannot send that and dies.
RUNAWAY_CELL = """\
hoard = []
for size in (1 << 20, 1 << 12, 64):
    try:
        while True:
            hoard.append(bytearray(size))
    except MemoryError:
        pass
print("x" * 100_000)
"""


def test_a_job_whose_kernel_dies_at_the_limit_fails_with_it(job_env, start_worker) -> None:
    """A real worker runs a papermill job whose kernel dies of the memory limit (not a
    MemoryError the notebook reports as its cell's error): the scenario fails with "job
    exceeded its memory limit of N MB". The kernel dies either while papermill waits
    (DeadKernelError) or after answering "error" without being able to say which
    (papermill's CellExecutionError without a message): both must name the limit."""
    notebook = job_env.tmp / "runaway.ipynb"
    parameters = nbformat.v4.new_code_cell("scenario_id = 0")
    parameters.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[parameters, nbformat.v4.new_code_cell(RUNAWAY_CELL)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, notebook)
    options = dataclasses.replace(job_env.options, notebook=str(notebook))
    config = default_config().with_run(sim_hours=24, replications=1)
    sid = submit_scenarios(job_env.redis, job_env.engine, options,
                           [("kernel-runaway", config)]).scenario_ids[0]
    limit = 700
    start_worker(job_env.env | {"HOSPITAL_TWIN_JOB_MEMORY_MB": str(limit)})
    row = wait_until(lambda: (r := get_scenario(job_env.engine, sid))["status"] == "failed"
                     and r, 120, 0.2, "the scenario to fail")
    assert row["error"].startswith(f"job exceeded its memory limit of {limit} MB"), row["error"]
    assert "kernel" in row["error"].lower(), row["error"]  # it died: not a cell's MemoryError
