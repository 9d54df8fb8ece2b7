"""Run ``hospital-twin sensors serve`` in a child process (tests, benchmark, ``make run``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from hospital_twin.services.mosquitto import free_port


class ServiceProcess:
    """The real sensor service on a free local port, configured by environment variables."""

    def __init__(self, env: dict[str, str], port: int | None = None, log: Path | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env}
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> ServiceProcess:
        """Start the service and wait until ``GET /`` answers."""
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        cmd = [sys.executable, "-c", "from hospital_twin.cli.main import main; main()"]
        cmd += ["sensors", "serve"]
        self.process = subprocess.Popen(
            [*cmd, "--port", str(self.port)], env=self.env, stdout=out, stderr=out
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sensor service exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1) as reply:
                    if reply.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"sensor service did not answer on {self.url} within {timeout} s")

    def stop(self) -> None:
        """Stop the service (SIGTERM, then SIGKILL)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def __enter__(self) -> ServiceProcess:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
