"""Reading docker/compose.yaml, docker/.env.example and the Dockerfile for the docker tests.

A tiny subset of what ``docker compose`` does itself: YAML with anchors and merge keys
(PyYAML), ``${VAR}``/``${VAR:-default}``/``$$`` interpolation, long-form ports and volumes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hospital_twin.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
COMPOSE_FILE = DOCKER / "compose.yaml"
ENV_EXAMPLE = DOCKER / ".env.example"
DOCKERFILE = DOCKER / "Dockerfile"
PRODUCT_IMAGE = "hospital-twin"

#: Every HOSPITAL_TWIN_* variable the settings object reads.
KNOWN_SETTINGS = {f"HOSPITAL_TWIN_{name.upper()}" for name in Settings.model_fields}
#: Variables of third-party images the bundle may take from docker/.env (not product settings).
THIRD_PARTY_VARIABLES = {"POSTGRES_PASSWORD", "REDIS_IMAGE", "MOSQUITTO_IMAGE"}

_VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?-)?(?P<default>[^}]*)\}")


def load_compose() -> dict[str, Any]:
    """compose.yaml as a dict (anchors and ``<<`` merges resolved, no interpolation)."""
    return yaml.safe_load(COMPOSE_FILE.read_text())


def referenced_variables(text: str) -> set[str]:
    """Names of the ``${VAR...}`` references in a compose file's text."""
    return {m["name"] for m in _VARIABLE.finditer(text.replace("$$", ""))}


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose interpolation of one string: ``${VAR}``, ``${VAR:-default}``, ``$$``."""

    def one(match: re.Match[str]) -> str:
        name, op, default = match["name"], match["op"], match["default"]
        if op is None:
            assert not default, f"unsupported interpolation {match[0]!r}"
            return env.get(name, "")
        current = env.get(name)
        if current is None or (op == ":-" and current == ""):
            return default
        return current

    return _VARIABLE.sub(one, value.replace("$$", "\0")).replace("\0", "$")


def defaults_of(text: str) -> dict[str, str]:
    """Each ``${VAR:-default}`` variable's default in a compose file's text."""
    return {m["name"]: m["default"] for m in _VARIABLE.finditer(text) if m["op"]}


def service_env(service: dict[str, Any], env: dict[str, str] | None = None) -> dict[str, str]:
    """A service's environment after interpolation with ``env`` (default: nothing set)."""
    raw = service.get("environment") or {}
    assert isinstance(raw, dict), "use the mapping form of `environment`"
    return {key: interpolate(str(value), env or {}) for key, value in raw.items()}


def is_product(service: dict[str, Any]) -> bool:
    """Whether a service runs the product image (hospital-twin:<version>)."""
    return str(service.get("image", "")).split(":")[0] == PRODUCT_IMAGE


def read_env_file(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    """``KEY=value`` lines of a dotenv file (comments and blank lines skipped, quotes removed)."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep and re.fullmatch(r"[A-Z_][A-Z0-9_]*", key), f"{path}:{number}: {line!r}"
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        assert key not in values, f"{path}:{number}: {key} set twice"
        values[key] = value
    return values


@dataclass(frozen=True)
class Port:
    """One entry of a service's ``ports``."""

    host_ip: str
    host: int
    container: int


def parse_port(entry: str | int) -> Port:
    """``"8080:8080"`` or ``"127.0.0.1:8888:8888"`` (the only forms the bundle uses)."""
    parts = str(entry).split(":")
    assert len(parts) in (2, 3), f"publish ports as [ip:]host:container, got {entry!r}"
    ip = parts[0] if len(parts) == 3 else "0.0.0.0"
    return Port(ip, int(parts[-2]), int(parts[-1]))


def split_volume(entry: str) -> tuple[str, str]:
    """``source:target[:mode]`` → (source, target)."""
    source, target, *_ = entry.split(":")
    return source, target


def subcommand_path(command: list[str]) -> tuple[list[str], list[str]]:
    """``["hospital-twin", "sensors", "simulate", "--interval", "10"]`` →
    (["sensors", "simulate"], ["--interval", "10"])."""
    assert command and command[0] == "hospital-twin", f"not a hospital-twin command: {command}"
    words = command[1:]
    split = next((i for i, w in enumerate(words) if w.startswith("-")), len(words))
    return words[:split], words[split:]
