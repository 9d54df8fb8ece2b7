"""What the documentation tests share: building the Sphinx docs once and reading pages."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"

DOT_MISSING = (
    "the `dot` program is missing: the documentation's diagrams are drawn by "
    "sphinx.ext.graphviz with Graphviz's `dot`. Install it with "
    "`apt-get install -y graphviz` (Debian/Ubuntu) and run the tests again."
)


def build_docs(out: Path) -> Path | str:
    """Build the HTML docs into ``out`` (warnings are errors); ``out``, or why no build
    could be made."""
    if shutil.which("dot") is None:
        return DOT_MISSING
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", str(DOCS), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        return (
            f"sphinx-build failed (exit {proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr}"
        )
    return out


def require(build: Path | str) -> Path:
    """The built HTML; the calling test FAILS (never skips) when `dot` is missing or the
    build broke."""
    if isinstance(build, str):
        pytest.fail(build, pytrace=False)
    return build


def page_text(page: Path) -> str:
    """The visible text of an HTML page: tags dropped, entities decoded, spaces collapsed."""
    raw = page.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S | re.I)
    raw = re.sub(r"<[^>]+>", " ", raw)
    return " ".join(html.unescape(raw).split())
