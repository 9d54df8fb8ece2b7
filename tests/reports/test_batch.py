"""``hospital-twin report --batch``: three workbooks, one broken, give two reports and one
clearly explained failure in index.html; bad command lines fail with a usage message."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import openpyxl
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from report_helpers import Stored

from hospital_twin.cli.main import cli
from hospital_twin.config import template_path
from hospital_twin.reports import ReportRequest, render_report
from hospital_twin.reports.request import ReportNotFound, ReportNotReady
from hospital_twin.store import NewScenario, create_scenarios, init_db


def workbook_folder(folder: Path) -> Path:
    """Both bundled templates and a copy of one with a word in a number cell."""
    folder.mkdir()
    shutil.copy(template_path("2023"), folder / "lab-2023.xlsx")
    shutil.copy(template_path("2024"), folder / "lab-2024.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: unsupported data-validation extension
        book = openpyxl.load_workbook(template_path("2023"), data_only=True)
    book["Arrival Schedules"]["C12"] = "lots"
    book.save(folder / "broken.xlsx")
    (folder / "~$lab-2023.xlsx").write_bytes(b"excel lock file")  # ignored
    return folder


def test_batch_gives_two_reports_and_one_explained_failure(tmp_path: Path) -> None:
    folder = workbook_folder(tmp_path / "workbooks")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", "--batch", str(folder), "--out", str(out),
                                      "--weeks", "0.5", "--reps", "1", "--in-process"])
    assert result.exit_code == 1, result.output  # a failure is not hidden from scripts
    assert "2 report(s), 1 failure(s)" in result.output
    assert "FAILED broken.xlsx" in result.output
    page = BeautifulSoup((out / "index.html").read_text(), "html.parser")
    rows = {tr["data-workbook"]: tr for tr in page.select("tr[data-workbook]")}
    assert sorted(rows) == ["broken.xlsx", "lab-2023.xlsx", "lab-2024.xlsx"]
    for name in ("lab-2023.xlsx", "lab-2024.xlsx"):
        links = [a["href"] for a in rows[name].select("a")]
        stem = f"config-{Path(name).stem}"
        assert links == [f"{stem}.html", f"{stem}.ipynb"]
        html = (out / links[0]).read_text()
        assert "Configuration report" in html and "Plotly.newPlot" in html
        assert (out / links[1]).is_file()
    broken = rows["broken.xlsx"]
    assert broken.select("a") == [] and broken.select_one("td.failed").get_text() == "failed"
    reason = broken.select_one("pre.reason").get_text()
    assert reason == ('broken.xlsx: sheet "Arrival Schedules", table "ArrivalScheduleCancer", '
                      'row "9", column "TUE", cell C12: expected a number, got \'lots\'')
    assert not list(out.glob("config-broken*"))  # never run
    assert "2 report(s), 1 failure(s)." in page.get_text()


@pytest.mark.parametrize(("args", "message"), [
    ([], "give exactly one of --scenario, --analysis, --config or --batch (got none)"),
    (["--scenario", "1", "--analysis", "2"], "(got --scenario, --analysis)"),
    (["--scenario", "1", "--weeks", "2"], "--weeks only apply to --config and --batch"),
])
def test_bad_command_lines_are_usage_errors(args: list[str], message: str,
                                            tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", *args, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_or_unfinished_scenarios_fail_before_any_notebook_runs(
        stored: Stored, tmp_path: Path) -> None:
    with pytest.raises(ReportNotFound, match="unknown scenario 999"):
        render_report(ReportRequest(scenario_id=999, db_url=stored.db_url), tmp_path)
    result = CliRunner().invoke(cli, ["report", "--analysis", "42", "--out", str(tmp_path)],
                                env={"HOSPITAL_TWIN_DB": str(stored.db_path)})
    assert result.exit_code == 1 and "unknown analysis 42" in result.output
    result = CliRunner().invoke(cli, ["report", "--config", str(tmp_path / "nope.xlsx"),
                                      "--out", str(tmp_path)])
    assert result.exit_code == 1 and "file not found" in result.output
    engine = init_db(stored.db_url)
    _, (queued,) = create_scenarios(engine, [NewScenario(
        config_json="{}", num_reps=1, sim_hours=24.0, warmup_hours=0.0, seed=1,
        job_id="never-run")])
    engine.dispose()
    with pytest.raises(ReportNotReady, match=f"scenario {queued} is not finished yet"):
        render_report(ReportRequest(scenario_id=queued, db_url=stored.db_url), tmp_path)
    assert list(tmp_path.iterdir()) == []
