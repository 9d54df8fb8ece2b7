"""Fixtures of the dashboard browser tests: a live dashboard and a Chromium page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dashboard_helpers import CHROMIUM_ARGS, LiveDashboard, chromium_path
from playwright.sync_api import Browser, Page, sync_playwright


@pytest.fixture(scope="module")
def live(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveDashboard]:
    """Voilà (``hospital-twin dashboards``) and one worker on a fresh database and queue."""
    server = LiveDashboard(redis_url, tmp_path_factory.mktemp("dash"))
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless system Chromium (fails with an install hint if it is missing)."""
    executable = chromium_path()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh 1280×800 page."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()
