"""An unstable scenario's report says so under its title, and shows no RCPath pass."""

from __future__ import annotations

import copy

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from hospital_twin.config import read_workbook, template_path
from hospital_twin.kpis import build_results
from hospital_twin.kpis.stability import plain_words
from hospital_twin.model import run_replications
from hospital_twin.reports import sections
from hospital_twin.reports.content import ReportData


@pytest.fixture(scope="module")
def unstable_results() -> dict:
    """A real one-week run whose stability verdict is set to unstable (the verdict itself is
    tested on long runs in tests/kpis/test_strain_scenarios.py)."""
    config = read_workbook(template_path("2023"))
    results = build_results(run_replications(config, 2, sim_hours=168.0), None, 0)
    edited = copy.deepcopy(results)
    edited["stability"].update(verdict="unstable", wip_growth_per_week={
        "mean": 1226.3, "min": 1174.2, "max": 1278.5})
    edited["stability"]["message"] = plain_words(edited["stability"])
    return edited


def _html_of(section, data: ReportData) -> str:
    InteractiveShell.instance()
    with capture_output() as captured:
        section(data)
    return "".join(o.data.get("text/html", "") + o.data.get("text/markdown", "")
                   for o in captured.outputs)


def test_unstable_report_says_so_under_the_title(unstable_results: dict) -> None:
    data = ReportData("scenario", "Scenario report: 1: doubled", "stored results",
                      {"1: doubled": unstable_results})
    page = _html_of(sections.show_title, data)
    assert page.index("Scenario report") < page.index(
        "Unstable: work piles up by about 1,226 specimens a week; turnaround figures depend "
        "on run length.")
    verdicts = _html_of(sections.show_verdicts, data)
    assert "ht-km-verdicts" in verdicts and "ht-verdicts" in verdicts
    assert "on target" not in verdicts and "not dependable: work piles up" in verdicts
    headline = _html_of(sections.show_headline, data)
    assert headline.index("Kaplan–Meier") < headline.index("completed specimens only")
