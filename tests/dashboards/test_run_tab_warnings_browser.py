"""In the browser: uploading a dead-lab workbook shows its warning in the Run tab (not as
an error), and Check scenario says it can still be run."""

from __future__ import annotations

import pytest
from dashboard_helpers import LiveDashboard, open_dashboard, screenshot
from dead_labs import DEAD_LABS, dead_workbook


@pytest.fixture(scope="module")
def idle_dashboard(redis_url, tmp_path_factory):
    server = LiveDashboard(redis_url, tmp_path_factory.mktemp("dash-warn"), workers=0)
    yield server
    server.close()


def test_dead_lab_warning_is_shown(idle_dashboard, page, tmp_path):
    path = tmp_path / "no-staining-machine.xlsx"
    path.write_bytes(dead_workbook("no-staining-machine"))
    open_dashboard(page, idle_dashboard.url)
    run = page.locator(".ht-run-tab")
    run.get_by_role("button", name="Uploaded workbook(s)").click()
    with page.expect_file_chooser() as chooser:
        run.locator(".widget-upload").click()
    chooser.value.set_files(str(path))
    item = run.locator(".ht-warnings .ht-warning-item")
    item.first.wait_for()
    assert item.all_inner_texts() == [DEAD_LABS["no-staining-machine"][1]]
    assert run.locator(".ht-problems .ht-problem").count() == 0
    run.get_by_role("button", name="Check scenario").click()
    ok = run.locator(".ht-ok", has_text="it can still be run")
    ok.wait_for()
    assert "1 warning(s) below" in ok.inner_text()
    screenshot(page, "run-warning")
