"""A real API server (``hospital-twin api`` subprocess) and a real worker, per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_helpers import Live


@pytest.fixture(scope="module")
def live(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """API + one worker."""
    server = Live(redis_url, tmp_path_factory.mktemp("live"), worker=True)
    yield server
    server.close()
