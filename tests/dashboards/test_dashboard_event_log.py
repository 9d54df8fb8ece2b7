"""Results tab: replication 0's specimens offered as a LIMS event log (no browser)."""

from __future__ import annotations

import base64
import re

import pytest
from test_dashboard_results import store_finished_scenario

from hospital_twin.dashboards.simulation.app import build
from hospital_twin.dashboards.simulation.backend import Backend
from hospital_twin.lims import read_event_log


def test_results_tab_offers_the_event_log_of_replication_0(tmp_path, monkeypatch):
    monkeypatch.setenv("HOSPITAL_TWIN_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("HOSPITAL_TWIN_DB", "")
    backend = Backend()
    sid, results = store_finished_scenario(backend.engine, "event log")
    dashboard = build(backend, poll=False)
    tab = dashboard.results
    tab.prepare_event_log()
    assert "Show a scenario&#x27;s results first" in tab.message.value
    tab.show(sid)
    assert tab.event_log_link.value == ""
    tab.prepare_event_log()
    match = re.search(r'download="(scenario-\d+-[^"]+-event-log\.csv)" '
                      r'href="data:text/csv;base64,([^"]+)"', tab.event_log_link.value)
    assert match, tab.event_log_link.value
    log = read_event_log(base64.b64decode(match.group(2)), name=match.group(1))
    # the re-simulated replication 0 is the one the stored results describe
    first = results["replications"][0]
    assert len(log) == first["arrived"]
    assert int(log.frame["reported"].notna().sum()) == first["completed"]
    assert f"({first['arrived']:,} specimens, CSV)" in tab.event_log_link.value


def test_event_log_of_an_unfinished_scenario_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("HOSPITAL_TWIN_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("HOSPITAL_TWIN_DB", "")
    backend = Backend()
    with pytest.raises(ValueError, match="no longer exists"):
        backend.event_log_csv(99)
