"""``hospital-twin worker --count N``, ``submit`` and ``status`` as a user runs them."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import psutil
from twin_helpers import REFERENCE_WORKBOOK, wait_until

CLI = [str(Path(sys.executable).parent / "hospital-twin")]


def _cli(job_env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], env=job_env.env, capture_output=True, text=True,
                          timeout=60)


def test_worker_submit_status(job_env):
    supervisor = subprocess.Popen([*CLI, "worker", "--count", "2"], env=job_env.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        submitted = _cli(job_env, "submit", str(REFERENCE_WORKBOOK), "--hours", "48",
                         "--reps", "2", "--name", "cli run", "--seed", "4")
        assert submitted.returncode == 0, submitted.stderr
        sid = int(submitted.stdout.strip())

        def status() -> str:
            out = _cli(job_env, "status", str(sid))
            assert out.returncode == 0, out.stderr
            return out.stdout

        first = status()
        assert first.startswith(f"scenario {sid} (cli run): ")
        final = wait_until(lambda: (lambda s: "done" in s and s)(status()), 90, 0.5,
                           "the CLI scenario")
        assert "2/2 replications, progress 1.00" in final
        children = psutil.Process(supervisor.pid).children()
        assert len(children) == 2  # two forking worker processes

        unknown = _cli(job_env, "status", "999")
        assert unknown.returncode != 0 and "unknown scenario 999" in unknown.stderr
        bad = _cli(job_env, "submit", str(REFERENCE_WORKBOOK), "--hours", "0", "--reps", "1")
        assert bad.returncode != 0
    finally:
        supervisor.send_signal(signal.SIGINT)
        out, _ = supervisor.communicate(timeout=30)
    assert supervisor.returncode == 0
    assert out.count("warm shut down requested") == 2  # both workers stopped cleanly
    assert not any(c.is_running() and c.status() != psutil.STATUS_ZOMBIE for c in children)
