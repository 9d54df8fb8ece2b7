"""The API tests' helpers: a live API server (+ worker) and workbook uploads."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
import warnings
from pathlib import Path

import httpx
import openpyxl
from twin_helpers import REFERENCE_WORKBOOK, stop_process, wait_until

from hospital_twin.services.redis_server import free_port
from hospital_twin.settings import Settings
from hospital_twin.store import make_engine

HOSPITAL_TWIN = str(Path(sys.executable).parent / "hospital-twin")
ORIGIN = "http://localhost:3000"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Live:
    """A running API (and optionally a worker) on one database and queue."""

    def __init__(self, redis_url: str, tmp: Path, *, worker: bool, **extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ,
                    "HOSPITAL_TWIN_REDIS_URL": redis_url,
                    "HOSPITAL_TWIN_VAR_DIR": str(tmp / "var"),
                    "HOSPITAL_TWIN_DB": "",
                    "HOSPITAL_TWIN_QUEUE_NAME": f"api-{uuid.uuid4().hex[:10]}",
                    "HOSPITAL_TWIN_MAX_UPLOAD_BYTES": "1000000",
                    **extra}
        self.settings = Settings(**{k[len("HOSPITAL_TWIN_"):].lower(): v
                                    for k, v in self.env.items()
                                    if k.startswith("HOSPITAL_TWIN_") and k != "HOSPITAL_TWIN_DB"})
        self.procs = [subprocess.Popen(
            [HOSPITAL_TWIN, "api", "--port", str(self.port)], env=self.env,
            stdout=open(tmp / "api.log", "wb"), stderr=subprocess.STDOUT)]  # noqa: SIM115
        if worker:
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "hospital_twin.jobs.worker"], env=self.env,
                stdout=open(tmp / "worker.log", "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
                process_group=0))
        self.client = httpx.Client(base_url=self.url, timeout=30, follow_redirects=False)
        wait_until(self._up, 30, 0.1, "the API to answer")
        self.engine = make_engine(self.settings.db_path)

    def _up(self) -> bool:
        try:
            return self.client.get("/").status_code == 200
        except httpx.TransportError:
            assert self.procs[0].poll() is None, "the API process exited"
            return False

    def close(self) -> None:
        self.client.close()
        self.engine.dispose()
        for proc in self.procs:
            stop_process(proc)


def workbook_bytes(edit=None) -> bytes:
    """The reference workbook, optionally edited with openpyxl."""
    if edit is None:
        return REFERENCE_WORKBOOK.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(REFERENCE_WORKBOOK, data_only=True)
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(name: str, data: bytes) -> tuple[str, bytes, str]:
    """A multipart file tuple for httpx."""
    return (name, data, XLSX)
