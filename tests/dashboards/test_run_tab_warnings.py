"""The Run tab shows a dead lab's warnings (separate from problems) on upload and check,
and still submits it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dead_labs import DEAD_LABS, dead_workbook

from hospital_twin.dashboards.simulation.app import build
from hospital_twin.dashboards.simulation.backend import Backend
from hospital_twin.dashboards.simulation.run_tab import UPLOAD


@pytest.mark.parametrize("name", DEAD_LABS)
def test_run_tab_warns_and_still_submits(job_env, name):
    backend = Backend(job_env.settings)
    run = build(backend, poll=False).run
    run.source.value = UPLOAD
    run.upload.value = ({"name": f"{name}.xlsx", "type": "", "size": 0,
                         "content": memoryview(dead_workbook(name)),
                         "last_modified": datetime.now(UTC)},)
    assert DEAD_LABS[name][1] in run.warnings.value and "ht-warning" in run.warnings.value
    assert run.problems.value == ""
    run.length_unit.value, run.length.value, run.reps.value = "hours", 24, 1
    run.check()
    assert "1 warning(s) below; it can still be run" in run.message.value
    assert DEAD_LABS[name][1] in run.warnings.value
    run.submit()
    assert "despite the warning(s) below" in run.message.value, run.message.value
    assert [s["status"] for s in backend.scenarios()] == ["queued"]


def test_the_bundled_lab_shows_no_warning(job_env):
    run = build(Backend(job_env.settings), poll=False).run
    run.length_unit.value, run.length.value, run.reps.value = "hours", 24, 1
    run.check()
    assert run.warnings.value == "" and "warning" not in run.message.value
