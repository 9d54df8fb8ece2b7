"""Fixtures of the documentation tests: one Sphinx build shared by every test."""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_helpers import build_docs


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    """The docs built once; the output folder, or why no build could be made."""
    return build_docs(tmp_path_factory.mktemp("docs_html"))
