"""docker/compose.yaml and docker/.env.example agree with the product they deploy.

No Docker engine is needed: the compose file is parsed, every command is checked against the
real ``hospital-twin`` command line, every variable against the settings object.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import click
import pytest
from compose_helpers import (
    COMPOSE_FILE,
    DOCKER,
    ENV_EXAMPLE,
    KNOWN_SETTINGS,
    ROOT,
    THIRD_PARTY_VARIABLES,
    defaults_of,
    interpolate,
    is_product,
    load_compose,
    parse_port,
    read_env_file,
    referenced_variables,
    service_env,
    split_volume,
    subcommand_path,
)

from hospital_twin.cli.main import cli
from hospital_twin.services.healthcheck import CHECKS
from hospital_twin.settings import Settings

HOSPITAL_TWIN = Path(sys.executable).parent / "hospital-twin"
REQUIRED_SERVICES = {"docs", "redis", "worker", "backend", "dashboards", "mosquitto", "sensors",
                     "sensor-simulator", "jupyterlab", "postgres"}
PROFILES = {"sensor-simulator": ["demo"], "jupyterlab": ["analyst"], "postgres": ["postgres"]}
#: Server commands → (settings field of their bind address, of their port, health check).
SERVERS = {
    ("api",): ("api_host", "api_port", "api"),
    ("sensors", "serve"): ("sensors_host", "sensors_port", "sensors"),
    ("dashboards",): ("dashboards_host", "dashboards_port", "dashboards"),
    ("lab",): ("lab_host", "lab_port", "lab"),
}
#: Product commands that are not servers: their own health check, or none.
NON_SERVERS = {("worker",): "worker", ("db", "init"): None, ("sensors", "simulate"): None}
#: Variables whose bundle default differs from the settings default on purpose.
DIFFERENT_DEFAULTS = {"HOSPITAL_TWIN_REDIS_URL"}  # the `redis` service, not 127.0.0.1


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose()


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _product(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in services.items() if is_product(s)}


def settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The Settings object a process with exactly these HOSPITAL_TWIN_* variables reads."""
    with monkeypatch.context() as patch:
        for key in [k for k in os.environ if k.startswith("HOSPITAL_TWIN_")]:
            patch.delenv(key)
        for key, value in env.items():
            patch.setenv(key, value)
        return Settings()


def test_every_required_service_and_profile(services: dict[str, dict[str, Any]]) -> None:
    assert REQUIRED_SERVICES <= set(services), REQUIRED_SERVICES - set(services)
    for name, service in services.items():
        assert service.get("profiles") == PROFILES.get(name), f"{name}: profiles"
    product = _product(services)
    assert {"worker", "backend", "dashboards", "sensors", "sensor-simulator",
            "jupyterlab"} <= set(product)


def test_commands_are_real_subcommands_with_real_options(
        services: dict[str, dict[str, Any]]) -> None:
    """Every product command parses with the real click command, and ``--help`` of that
    subcommand (run as a process) lists each option the compose file passes."""
    product = _product(services)
    for name, service in product.items():
        path, args = subcommand_path(service["command"])
        command: click.Command = cli
        ctx = click.Context(cli, info_name="hospital-twin")
        for word in path:
            assert isinstance(command, click.Group), f"{name}: {word!r} after a command"
            sub = command.get_command(ctx, word)
            assert sub is not None, f"{name}: `hospital-twin {' '.join(path)}` does not exist"
            command = sub
        assert not isinstance(command, click.Group), f"{name}: {path} is a group, not a command"
        command.make_context(" ".join(path), list(args))  # raises on unknown options/bad values

        helped = subprocess.run([str(HOSPITAL_TWIN), *path, "--help"], capture_output=True,
                                text=True, timeout=60)
        assert helped.returncode == 0, f"{name}: {helped.stderr}"
        assert f"Usage: hospital-twin {' '.join(path)}" in helped.stdout
        for option in (a.split("=")[0] for a in args if a.startswith("--")):
            assert re.search(rf"(^|\s){re.escape(option)}\b", helped.stdout), (
                f"{name}: {option} is not an option of hospital-twin {' '.join(path)}")


def test_product_environment_is_known_settings_only(
        services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, service in _product(services).items():
        env = service_env(service)
        unknown = set(env) - KNOWN_SETTINGS
        assert not unknown, f"{name} sets variables the settings object ignores: {unknown}"
        assert env, f"{name} has no environment"
        settings_from(env, monkeypatch)  # every value parses (JSON lists, numbers, booleans)


def test_servers_bind_all_interfaces_on_their_published_port(
        services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    seen = set()
    for name, service in _product(services).items():
        path, args = subcommand_path(service["command"])
        assert not {"--host", "--port"} & set(args), f"{name}: address/port come from settings"
        if tuple(path) not in SERVERS:
            assert tuple(path) in NON_SERVERS, f"{name}: unexpected command {path}"
            assert not service.get("ports"), f"{name} publishes ports but serves nothing"
            continue
        seen.add(tuple(path))
        host_field, port_field, _check = SERVERS[tuple(path)]
        settings = settings_from(service_env(service), monkeypatch)
        assert getattr(settings, host_field) == "0.0.0.0", f"{name} must bind 0.0.0.0"
        containers = [parse_port(p).container for p in service.get("ports", [])]
        assert containers == [getattr(settings, port_field)], (
            f"{name} listens on {getattr(settings, port_field)} but publishes {containers}")
    assert seen == set(SERVERS)


def test_service_urls_point_at_bundle_services(
        services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Redis, MQTT and the sensor service are addressed by service name and real port."""
    backend = settings_from(service_env(services["backend"]), monkeypatch)
    assert backend.redis_url == "redis://redis:6379/0" and "redis" in services
    assert backend.mqtt_host == "mosquitto" and backend.mqtt_port == 1883
    assert [parse_port(p).container for p in services["mosquitto"]["ports"]] == [1883]
    assert "listener 1883" in (DOCKER / "mosquitto" / "mosquitto.conf").read_text()
    sensors = settings_from(service_env(services["sensors"]), monkeypatch)
    assert backend.sensors_url == f"http://sensors:{sensors.sensors_port}"
    assert backend.var_dir == Path("/data")


def test_published_host_ports_are_unique_and_worker_scales(
        services: dict[str, dict[str, Any]]) -> None:
    published = Counter((p.host_ip, p.host) for s in services.values()
                        for p in map(parse_port, s.get("ports", [])))
    duplicates = [port for port, count in published.items() if count > 1]
    assert not duplicates, f"host ports published twice: {duplicates}"
    assert len({port for _ip, port in published}) == len(published)
    for name, service in services.items():
        assert "container_name" not in service, f"{name}: container_name blocks --scale"
    worker = services["worker"]
    assert not worker.get("ports") and "hostname" not in worker
    assert services["jupyterlab"]["ports"] == ["127.0.0.1:8888:8888"], "lab stays on loopback"


def test_volumes_are_declared_and_shared(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, service in compose["services"].items():
        for entry in service.get("volumes", []):
            source, target = split_volume(entry)
            if source.startswith((".", "/")):
                assert (DOCKER / source).resolve().exists(), f"{name}: bind source {source}"
            else:
                assert source in declared, f"{name}: volume {source} is not declared"
                used.add(source)
        if is_product(service):
            assert "twin-data:/data" in service["volumes"], f"{name}: no database volume"
    assert used == declared, f"declared but unused volumes: {declared - used}"


def test_depends_on_healthy_targets(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: use long-form depends_on with conditions"
        for target, how in depends.items():
            assert target in services, f"{name} depends on unknown service {target}"
            assert not services[target].get("profiles") or service.get("profiles"), (
                f"{name} (always on) depends on {target}, which only a profile starts")
            condition = how["condition"]
            check = services[target].get("healthcheck") or {}
            if condition == "service_healthy":
                assert check.get("test") and not check.get("disable"), (
                    f"{name} waits for {target} to be healthy but it has no healthcheck")
            else:
                assert condition == "service_completed_successfully", f"{name}: {condition}"
                assert services[target].get("restart") == "no", f"{target} is not one-shot"


def test_restart_policies_and_healthchecks(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        check = service.get("healthcheck")
        assert check, f"{name} has no healthcheck (or explicit `disable: true`)"
        if is_product(service):
            path, _args = subcommand_path(service["command"])
            expected = SERVERS[tuple(path)][2] if tuple(path) in SERVERS else (
                NON_SERVERS[tuple(path)])
            if expected is None:  # one-shot or publisher: the image's API check must go
                assert check == {"disable": True}, name
            else:
                assert check["test"] == ["CMD", "python", "-m",
                                         "hospital_twin.services.healthcheck", expected], name
                assert expected in CHECKS
        else:
            assert check["test"][0] == "CMD", name
        restart = service.get("restart")
        one_shot = is_product(service) and subcommand_path(service["command"])[0] == ["db",
                                                                                       "init"]
        assert restart == ("no" if one_shot else "unless-stopped"), f"{name}: restart {restart}"
    grace = subcommand_path(services["worker"]["command"])[1]
    grace_s = float(grace[grace.index("--grace") + 1])
    assert float(services["worker"]["stop_grace_period"].rstrip("s")) > grace_s


def test_images_are_pinned(services: dict[str, dict[str, Any]]) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    for name, service in services.items():
        image = interpolate(service.get("image", ""), {})  # the default, no .env
        assert image, f"{name} has no image"
        repository, _, tag = image.partition(":")
        assert re.fullmatch(r"\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?", tag), f"{name}: unpinned {image}"
        if repository.startswith("hospital-twin"):
            assert tag == version, f"{name}: {image} is not the project version {version}"
            assert service["build"]["context"] == ".." and (
                service["build"]["dockerfile"] == "docker/Dockerfile")


def test_third_party_images_can_be_replaced_by_the_local_stand_ins(
        services: dict[str, dict[str, Any]]) -> None:
    for name, variable, standin in (("redis", "REDIS_IMAGE", "redis"),
                                    ("mosquitto", "MOSQUITTO_IMAGE", "mosquitto")):
        assert interpolate(services[name]["image"], {variable: "local/x:1"}) == "local/x:1"
        dockerfile = (DOCKER / "standins" / f"{standin}.Dockerfile").read_text()
        assert "ARG BASE_IMAGE" in dockerfile and "apt-get install" in dockerfile
    # the stand-ins provide what compose.yaml runs in them
    assert services["redis"]["healthcheck"]["test"][1] == "redis-cli"
    assert "redis-tools" in (DOCKER / "standins" / "redis.Dockerfile").read_text()
    assert services["mosquitto"]["healthcheck"]["test"][1] == "mosquitto_pub"
    assert "mosquitto-clients" in (DOCKER / "standins" / "mosquitto.Dockerfile").read_text()


def test_env_example_documents_exactly_the_variables_compose_reads() -> None:
    documented = read_env_file()
    text = COMPOSE_FILE.read_text()
    referenced = referenced_variables(text)
    unknown = set(documented) - KNOWN_SETTINGS - THIRD_PARTY_VARIABLES
    assert not unknown, f".env.example lists variables nothing reads: {unknown}"
    assert set(documented) == referenced, (
        f"undocumented: {referenced - set(documented)}; "
        f"documented but unused: {set(documented) - referenced}")


def test_env_example_shows_the_bundle_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """.env.example says each value shown is what the bundle uses without it."""
    documented = read_env_file()
    defaults = defaults_of(COMPOSE_FILE.read_text())
    for key, value in documented.items():
        assert defaults.get(key) == value, f"{key}: .env.example {value!r}, compose {defaults}"
    settings = settings_from({k: v for k, v in documented.items() if k in KNOWN_SETTINGS},
                             monkeypatch)
    plain = Settings.model_construct()
    for key in documented.keys() & KNOWN_SETTINGS - DIFFERENT_DEFAULTS:
        field = key.removeprefix("HOSPITAL_TWIN_").lower()
        if field == "db":
            assert settings.db == "", "the bundle's default database is SQLite on the volume"
            continue
        assert getattr(settings, field) == getattr(plain, field), f"{key} default differs"


def test_env_example_is_not_committed_as_env() -> None:
    assert ENV_EXAMPLE.is_file()
    assert "docker/.env" in (ROOT / ".gitignore").read_text().splitlines()
