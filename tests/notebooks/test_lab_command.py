"""``hospital-twin lab``: JupyterLab on the notebooks, loopback only, token required.

The server test starts the real command on a free port, reads the printed URL for the
generated token, and drives the server's REST API and a kernel's websocket with it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import websocket

from hospital_twin.cli.lab_cmd import default_notebook_dir, lab_argv, resolve_token

CLI = Path(sys.executable).parent / "hospital-twin"


def test_command_line_binds_loopback_and_needs_a_token(tmp_path: Path) -> None:
    argv = lab_argv(9999, tmp_path, "s3cret", as_root=False)
    assert argv[:3] == [sys.executable, "-m", "jupyterlab"]
    assert "--ServerApp.ip=127.0.0.1" in argv and "--ServerApp.port=9999" in argv
    assert "--IdentityProvider.token=s3cret" in argv and "--no-browser" in argv
    assert f"--ServerApp.root_dir={tmp_path}" in argv
    assert "--allow-root" not in argv
    assert "--allow-root" in lab_argv(9999, tmp_path, "s3cret", as_root=True)


def test_token_from_settings_or_generated() -> None:
    assert resolve_token("fixed") == ("fixed", False)
    first, generated = resolve_token("")
    assert generated and len(first) >= 32 and first != resolve_token("")[0]
    assert default_notebook_dir().name == "notebooks"


def test_configured_token_is_printed_and_given_to_the_server(tmp_path: Path) -> None:
    """HOSPITAL_TWIN_LAB_TOKEN is used as is: in the printed URL and on the exec'd server."""
    port = _free_port()
    env = os.environ | {"HOSPITAL_TWIN_LAB_TOKEN": "analyst-token-42",
                        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    env.pop("HOSPITAL_TWIN_LAB_HOST", None)
    proc = subprocess.Popen([str(CLI), "lab", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        proc.stdout.readline()
        assert proc.stdout.readline().strip() == (
            f"open: http://127.0.0.1:{port}/lab?token=analyst-token-42")
        cmdline = Path(f"/proc/{proc.pid}/cmdline")
        deadline = time.monotonic() + 30
        while b"jupyterlab" not in cmdline.read_bytes():  # same pid once execv is done
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        argv = cmdline.read_bytes().decode().split("\0")
        assert "--IdentityProvider.token=analyst-token-42" in argv
        assert "--ServerApp.ip=127.0.0.1" in argv and f"--ServerApp.port={port}" in argv
    finally:
        _stop(proc)


def test_make_lab_runs_the_command() -> None:
    repo = Path(__file__).resolve().parents[2]
    plan = subprocess.run(["make", "-n", "lab", "PORT=9123"], cwd=repo, capture_output=True,
                          text=True, check=True).stdout
    assert ".venv/bin/hospital-twin lab --port 9123" in plan.splitlines()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, token) of ``hospital-twin lab`` started without a configured token."""
    tmp = tmp_path_factory.mktemp("lab")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "HOSPITAL_TWIN_LAB_TOKEN"}
    env |= {"JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp / "cfg"),
            "JUPYTER_DATA_DIR": str(tmp / "data")}
    log = open(tmp / "lab.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([str(CLI), "lab", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        url = lines[1].split("open: ", 1)[1].split()[0]
        parsed = urlparse(url)
        assert (parsed.hostname, parsed.port, parsed.path) == ("127.0.0.1", port, "/lab")
        token = parse_qs(parsed.query)["token"][0]
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/status", timeout=2,
                             headers={"Authorization": f"token {token}"}).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("JupyterLab did not start:\n"
                                     + (tmp / "lab.log").read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        yield base, token
    finally:
        _stop(proc)
        log.close()


def test_lab_lists_the_notebooks(lab_server: tuple[str, str]) -> None:
    base, token = lab_server
    reply = httpx.get(f"{base}/api/contents/", headers={"Authorization": f"token {token}"})
    assert reply.status_code == 200
    names = {item["name"] for item in reply.json()["content"]}
    assert {"01-lab-configuration.ipynb", "02-run-and-analyse.ipynb",
            "03-staffing-what-if.ipynb", "04-lift-outage.ipynb",
            "05-sensor-history.ipynb", "06_forecast.ipynb"} <= names


def test_api_refuses_without_the_token(lab_server: tuple[str, str]) -> None:
    base, _ = lab_server
    assert httpx.get(f"{base}/api/contents/").status_code == 403
    wrong = httpx.get(f"{base}/api/contents/", headers={"Authorization": "token nope"})
    assert wrong.status_code == 403
    assert httpx.post(f"{base}/api/kernels", json={"name": "python3"}).status_code == 403


def _execute(base: str, token: str, kernel_id: str, code: str) -> str:
    """Run ``code`` in the kernel over its websocket; return its stdout (fails on error)."""
    ws = websocket.create_connection(
        base.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels",
        header=[f"Authorization: token {token}"], timeout=60)
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex,
                   "msg_type": "execute_request", "version": "5.3",
                   "date": datetime.now(UTC).isoformat()},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))
    out: list[str] = []
    status, idle = None, False
    try:
        while status is None or not idle:  # the reply and the idle status, in either order
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "stream":
                out.append(msg["content"]["text"])
            elif kind == "error":
                raise AssertionError("\n".join(msg["content"]["traceback"]))
            elif kind == "execute_reply":
                status = msg["content"]["status"]
            elif kind == "status":
                idle = msg["content"]["execution_state"] == "idle"
    finally:
        ws.close()
    assert status == "ok"
    return "".join(out)


def test_kernel_starts_and_imports_the_package(lab_server: tuple[str, str]) -> None:
    base, token = lab_server
    auth = {"Authorization": f"token {token}"}
    reply = httpx.post(f"{base}/api/kernels", json={"name": "python3"}, headers=auth, timeout=30)
    assert reply.status_code == 201
    kernel_id = reply.json()["id"]
    try:
        printed = _execute(base, token, kernel_id,
                           "import sys, hospital_twin\nprint(sys.prefix)\n"
                           "print(hospital_twin.__name__)").split()
        assert printed == [sys.prefix, "hospital_twin"]
    finally:
        assert httpx.delete(f"{base}/api/kernels/{kernel_id}", headers=auth,
                            timeout=30).status_code == 204
