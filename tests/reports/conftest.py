"""Reports tests' fixtures: a SQLite store with finished scenarios and an analysis (run by
the product's ScenarioRun, as a worker runs them) and the reports rendered from it once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))  # api_helpers

from report_helpers import Stored, more_staff, store_and_run  # noqa: E402

from hospital_twin.cli.main import cli  # noqa: E402
from hospital_twin.config import default_config  # noqa: E402
from hospital_twin.reports import ReportFiles, ReportRequest, render_report  # noqa: E402
from hospital_twin.store import database_url  # noqa: E402


@pytest.fixture(scope="session")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Stored:
    db_path = tmp_path_factory.mktemp("store") / "twin.db"
    db_url = database_url(db_path)
    base = default_config()
    _, (sid,) = store_and_run(db_url, [("baseline", base)], seed=5, analysis=False)
    aid, ids = store_and_run(db_url, [("base", base), ("more-bms", more_staff(base))],
                             seed=7, analysis=True)
    names = {sid: "baseline", ids[0]: "base", ids[1]: "more-bms"}
    return Stored(db_path, db_url, sid, aid, ids, names)


@pytest.fixture(scope="session")
def scenario_report(stored: Stored, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    """``hospital-twin report --scenario ID --out DIR`` on the stored scenario."""
    out = tmp_path_factory.mktemp("scenario-report")
    result = CliRunner().invoke(
        cli, ["report", "--scenario", str(stored.scenario_id), "--out", str(out)],
        env={"HOSPITAL_TWIN_DB": str(stored.db_path)}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    stem = f"scenario-{stored.scenario_id}"
    assert f"{stem}.html" in result.output
    return ReportFiles(html=out / f"{stem}.html", ipynb=out / f"{stem}.ipynb")


@pytest.fixture(scope="session")
def analysis_report(stored: Stored, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    """The analysis's report, rendered with the package function."""
    return render_report(ReportRequest(analysis_id=stored.analysis_id, db_url=stored.db_url),
                         tmp_path_factory.mktemp("analysis-report"))
