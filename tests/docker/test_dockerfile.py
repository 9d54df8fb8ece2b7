"""docker/Dockerfile and .dockerignore: pinned base, non-root user, health check, the
project's own pins, rfc3987-syntax removed, nothing local in the build context.

There is no Docker engine here, so the image is not built; the instructions are parsed and
the Python snippets the build runs are executed against this repository instead.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from compose_helpers import DOCKERFILE, KNOWN_SETTINGS, ROOT, load_compose, parse_port

from hospital_twin.services.healthcheck import CHECKS


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        joined.append(current + stripped)
        current = ""
    assert not current, "Dockerfile ends inside a continued line"
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined]


def stages() -> dict[str, list[tuple[str, str]]]:
    """Instructions per build stage, by stage name (in order)."""
    found: dict[str, list[tuple[str, str]]] = {}
    name = ""
    for instruction, args in instructions():
        if instruction == "FROM":
            match = re.fullmatch(r"(\S+) AS (\S+)", args, re.I)
            assert match, f"unnamed stage: FROM {args}"
            name = match[2]
            found[name] = [(instruction, match[1])]
        elif name:
            found[name].append((instruction, args))
    return found


def _python_snippet(run: str) -> str:
    """The code of the first ``python -c "..."`` in a RUN instruction."""
    words = shlex.split(run)
    return words[words.index("-c") + 1]


def test_base_image_is_a_pinned_slim_python_311() -> None:
    args = {a.split("=", 1)[0]: a.split("=", 1)[1] for i, a in instructions() if i == "ARG"
            and "=" in a}
    base = args["PYTHON_IMAGE"]
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-[a-z]+)?", base), base
    named = list(stages())
    for stage, steps in stages().items():
        source = steps[0][1]
        assert source == "${PYTHON_IMAGE}" or source in named[:named.index(stage)], (
            f"stage {stage} starts from {source}")


def test_stages_and_default_target() -> None:
    found = stages()
    assert list(found)[-1] == "product", "the product must be the default (last) target"
    assert {"build", "docs-build", "docs", "product"} <= set(found)
    assert len(found) >= 2


@pytest.mark.parametrize("stage", ["product", "docs"])
def test_runtime_stages_run_as_non_root_with_a_healthcheck(stage: str) -> None:
    steps = stages()[stage]
    users = [args for i, args in steps if i == "USER"]
    assert users and users[-1] not in ("root", "0", "0:0"), f"{stage} runs as root"
    checks = [args for i, args in steps if i == "HEALTHCHECK"]
    assert len(checks) == 1 and "CMD" in checks[0], f"{stage}: {checks}"
    assert [args for i, args in steps if i == "CMD"], f"{stage} has no CMD"


def test_product_healthcheck_matches_its_default_command() -> None:
    steps = dict(stages()["product"])  # one HEALTHCHECK and one CMD (checked above)
    check = re.search(r"CMD (\[.*\])", steps["HEALTHCHECK"])[1]
    argv, cmd = json.loads(check), json.loads(steps["CMD"])
    assert argv[:3] == ["python", "-m", "hospital_twin.services.healthcheck"]
    assert argv[3] in CHECKS and cmd == ["hospital-twin", "api"] and argv[3] == "api"
    envs = " ".join(args for i, args in stages()["product"] if i == "ENV")
    names = set(re.findall(r"(HOSPITAL_TWIN_[A-Z_]+)=", envs))
    assert names and names <= KNOWN_SETTINGS, names - KNOWN_SETTINGS
    for host in ("API", "SENSORS", "DASHBOARDS", "LAB"):
        assert f"HOSPITAL_TWIN_{host}_HOST=0.0.0.0" in envs


def test_docs_stage_serves_the_port_compose_publishes() -> None:
    docs = dict(stages()["docs"])
    cmd = json.loads(docs["CMD"])
    assert cmd[:3] == ["python", "-m", "http.server"] and "0.0.0.0" in cmd
    port = int(cmd[3])
    assert f"127.0.0.1:{port}/" in docs["HEALTHCHECK"]
    published = [parse_port(p) for p in load_compose()["services"]["docs"]["ports"]]
    assert [p.container for p in published] == [port]
    build_steps = " ".join(a for _i, a in stages()["docs-build"])
    assert "sphinx -W" in build_steps and "graphviz" in build_steps


def test_dependencies_come_from_pyproject_and_rfc3987_syntax_is_removed(tmp_path: Path) -> None:
    build = stages()["build"]
    runs = [args for i, args in build if i == "RUN"]
    assert any("pip uninstall -y rfc3987-syntax" in r for r in runs)
    assert any("pip check" in r for r in runs)
    install = next(r for r in runs if "requirements.txt" in r and "tomllib" in r)
    # run the build's own snippet against this repository's pyproject.toml
    (tmp_path / "pyproject.toml").write_bytes((ROOT / "pyproject.toml").read_bytes())
    code = _python_snippet(install).replace("/tmp/", f"{tmp_path}/")
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True, timeout=30)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    written = (tmp_path / "requirements.txt").read_text().splitlines()
    assert written == project["dependencies"]
    # the docs stage's Sphinx pin comes from the dev extra the same way
    docs_run = next(a for i, a in stages()["docs-build"] if i == "RUN" and "tomllib" in a)
    code = _python_snippet(docs_run).replace("/tmp/", f"{tmp_path}/")
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True, timeout=30)
    sphinx = (tmp_path / "docs-requirements.txt").read_text().splitlines()
    assert sphinx and all(r in project["optional-dependencies"]["dev"] for r in sphinx)
    assert any(r.startswith("sphinx") for r in sphinx)
    # the uninstall happens in the stage whose virtual environment the product copies
    product = " ".join(a for i, a in stages()["product"] if i == "COPY")
    assert "--from=build /opt/venv /opt/venv" in product


def _ignored(path: str, patterns: list[str]) -> bool:
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        candidates = {pattern, pattern.removeprefix("**/")}
        parts = path.split("/")
        prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
        if any(fnmatch.fnmatch(p, c) for p in prefixes for c in candidates) or (
                pattern.startswith("**/") and any(fnmatch.fnmatch(part, pattern[3:])
                                                  for part in parts)):
            ignored = not negate
    return ignored


def test_dockerignore_keeps_local_state_out_and_sources_in() -> None:
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    for local in (".venv/bin/python", "var/hospital_twin.db", "test-output/x.png",
                  "docs/_build/html/index.html", ".git/HEAD", ".pytest_cache/v",
                  ".ruff_cache/x", "hospital_twin/__pycache__/settings.cpython-311.pyc",
                  "hospital_twin.egg-info/PKG-INFO", "docker/.env", "notebooks/x.db"):
        assert _ignored(local, patterns), f"{local} would be sent to the Docker build"
    copied = [a.split()[0] for i, a in instructions() if i == "COPY" and "--from" not in a]
    assert copied, "no COPY from the build context"
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
        assert not _ignored(source, patterns), f"COPY {source} is excluded by .dockerignore"


def test_build_fetches_nothing_before_its_first_step() -> None:
    # a `# syntax=` line makes BuildKit pull a frontend image: offline builds fail at once
    assert not re.search(r"^#\s*syntax\s*=", DOCKERFILE.read_text(), re.M | re.I)


@pytest.mark.parametrize("stage", ["build", "docs-build"])
def test_every_pip_install_can_use_a_site_ca_and_index(stage: str) -> None:
    steps = stages()[stage]
    assert ("ARG", "PIP_INDEX_URL=") in steps
    installs = [args for instruction, args in steps
                if instruction == "RUN" and "pip install" in args]
    assert installs, f"{stage} installs nothing"
    for args in installs:
        assert args.startswith("--mount=type=secret,id=ca,required=false "), args
        assert "PIP_CERT=/run/secrets/ca" in args, args
        assert '${PIP_INDEX_URL:+--index-url "$PIP_INDEX_URL"}' in args, args


def test_product_default_outputs_go_to_the_data_volume() -> None:
    workdirs = [args for instruction, args in stages()["product"] if instruction == "WORKDIR"]
    assert workdirs[-1] == "/data"  # e.g. `hospital-twin simulate` writes results.json here
