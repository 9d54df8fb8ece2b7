"""The README starts with the two commands, and CI runs the test command."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_starts_with_exactly_two_commands():
    text = (ROOT / "README.md").read_text()
    first_block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert first_block and text.index("```sh") < text.index("\n## ")
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert [c for c in commands if c] == ["make run", "make test"]


def test_ci_runs_make_test_and_nothing_else_of_substance():
    lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[-1] == "make test"
    assert all(line.startswith(("set ", "cd ")) for line in lines[:-1])


def test_make_knows_both_targets():
    for target in ("run", "test"):
        dry = subprocess.run(
            ["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert dry.returncode == 0, dry.stderr
        assert ".venv/bin/" in dry.stdout


def test_readme_documents_every_setting():
    from hospital_twin.settings import Settings

    text = (ROOT / "README.md").read_text()
    missing = [
        f"HOSPITAL_TWIN_{name.upper()}"
        for name in Settings.model_fields
        if f"`HOSPITAL_TWIN_{name.upper()}`" not in text
    ]
    assert not missing, f"README's settings table lacks {missing}"
