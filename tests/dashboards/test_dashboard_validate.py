"""Validate tab without a browser: upload a log, queue the validation, a real worker runs it,
the tab shows the lab beside the twin."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from twin_helpers import wait_until

from hospital_twin.config import default_config
from hospital_twin.dashboards.simulation.app import VALIDATE, build
from hospital_twin.dashboards.simulation.backend import Backend
from hospital_twin.lims import event_log_frame
from hospital_twin.model import run_replication


def uploaded(name: str, data: bytes) -> tuple[dict, ...]:
    """What an ipywidgets FileUpload holds after the user chose one file."""
    return ({"name": name, "type": "text/csv", "size": len(data), "content": memoryview(data),
             "last_modified": dt.datetime.now(dt.UTC)},)


def week_log() -> bytes:
    frame = event_log_frame(run_replication(default_config().with_run(seed=8), 0,
                                            sim_hours=2 * 168), "2024-01-01")
    return frame[pd.to_datetime(frame["received"]) >= pd.Timestamp("2024-01-08")].to_csv(
        index=False).encode()


def test_validate_tab_queues_and_shows_a_validation(job_env, start_worker):
    dashboard = build(Backend(job_env.settings), poll=False)
    tab = dashboard.validate
    tab.log_upload.value = uploaded("bad.csv", b"specimen_id,pathway\nA,cancer\n")
    assert "not a valid event log" in tab.message.value
    assert 'column &quot;priority&quot;: missing column' in tab.problems.value
    assert tab.submit() is None and "Upload a valid event log first" in tab.message.value

    tab.log_upload.value = uploaded("lims-week.csv", week_log())
    assert "lims-week.csv" in tab.log_info.value and "specimens" in tab.log_info.value
    assert tab.problems.value == ""
    tab.reps.value, tab.warmup.value = 3, 1
    validation_id = tab.submit()
    assert validation_id and validation_id in tab.message.value
    assert [v for _, v in tab.picker.options] == [validation_id]
    assert "(queued)" in tab.picker.label

    start_worker()
    dashboard.tabs.selected_index = VALIDATE  # refreshes the list

    def finished() -> bool:
        tab.refresh()
        return "(done)" in tab.picker.label

    wait_until(finished, 240, 0.5, "the validation job")
    tab.show_selected()
    assert "measures of the lab are inside the twin's 95 % band" in tab.summary.value
    assert tab.tables.value.count("data-verdict=") == 44
    assert len(tab.charts.children) == 4
    assert 'download="validation-lims-week.html"' in tab.downloads.value
    assert "bundled default against lims-week.csv" in tab.summary.value
    assert "a log of at least 3 weeks gives every measure a verdict" in tab.summary.value
