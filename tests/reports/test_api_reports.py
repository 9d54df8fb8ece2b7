"""``POST /reports`` and ``GET /reports/{id}`` against a real API process, a real RQ worker
and a private redis-server; and ``--batch`` reports run as jobs by that worker."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_helpers import Live
from report_helpers import store_and_run
from twin_helpers import wait_until

from hospital_twin.config import default_config, template_path
from hospital_twin.jobs.options import JobOptions
from hospital_twin.jobs.queue import connect
from hospital_twin.reports import ReportRequest, run_batch
from hospital_twin.reports.jobs import enqueue_report


@pytest.fixture(scope="module")
def live(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """API + one worker, with one finished scenario in its database."""
    server = Live(redis_url, tmp_path_factory.mktemp("live"), worker=True)
    server.db_url = JobOptions.from_settings(server.settings).db_url
    _, (server.scenario_id,) = store_and_run(server.db_url, [("api-lab", default_config())],
                                             seed=3, analysis=False)
    yield server
    server.close()


def _until_finished(client: httpx.Client, report_id: str) -> httpx.Response:
    def poll() -> httpx.Response | None:
        reply = client.get(f"/reports/{report_id}")
        return None if reply.status_code == 202 else reply
    return wait_until(poll, 90, 0.3, f"report {report_id}")


def test_post_then_get_gives_status_then_the_html(live: Live) -> None:
    reply = live.client.post("/reports", json={"scenario_id": live.scenario_id})
    assert reply.status_code == 202, reply.text
    body = reply.json()
    report_id = body["report_id"]
    assert body["status"] == "queued" and body["url"] == f"/reports/{report_id}"
    early = live.client.get(f"/reports/{report_id}")
    assert early.status_code == 202 and early.json()["status"] in ("queued", "running")
    done = _until_finished(live.client, report_id)
    assert done.status_code == 200 and done.headers["content-type"].startswith("text/html")
    assert f"Scenario report: {live.scenario_id}: api-lab" in done.text
    # five key charts plus the machine-time split (results carry ``machine_time``)
    assert done.text.count("Plotly.newPlot") == 6
    assert "How machines spend their time" in done.text
    notebook = live.client.get(f"/reports/{report_id}", params={"format": "ipynb"})
    assert notebook.status_code == 200 and notebook.json()["nbformat"] == 4
    status = live.client.get(f"/reports/{report_id}/", params={"format": "json"})
    assert status.json() == {"report_id": report_id, "status": "done"}
    folder = Path(live.settings.reports_dir).resolve() / report_id
    assert sorted(p.name for p in folder.iterdir()) == [
        f"scenario-{live.scenario_id}.html", f"scenario-{live.scenario_id}.ipynb"]


def test_a_failed_job_answers_with_its_reason(live: Live) -> None:
    # queued directly (the API would refuse it): the scenario does not exist in this store
    request = ReportRequest(scenario_id=987, db_url=live.db_url)
    report_id = enqueue_report(connect(live.settings.redis_url), live.settings.queue_name,
                               request, live.settings.reports_dir / "x", timeout=60)
    reply = _until_finished(live.client, report_id)
    assert reply.status_code == 200
    assert reply.json() == {"report_id": report_id, "status": "failed",
                            "error": "unknown scenario 987"}


@pytest.mark.parametrize(("body", "code", "fragment"), [
    ({}, 400, "give exactly one of"),
    ({"scenario_id": 1, "analysis_id": 1}, 400, "got scenario, analysis"),
    ({"scenario_id": 4242}, 404, "unknown scenario 4242"),
    ({"analysis_id": 77}, 404, "unknown analysis 77"),
    ({"scenario_id": 1, "colour": "red"}, 400, "colour"),
    ({"config_path": "x.xlsx", "reps": 0}, 400, "reps"),
    ({"config_path": "nonexistent-lab.xlsx"}, 400, "file not found"),
    ({"config_path": "/etc/passwd"}, 403, "inside the report configurations folder"),
    ({"config_path": "../hospital_twin.db"}, 403, "inside the report configurations folder"),
])
def test_bad_requests_get_json_errors(live: Live, body: dict, code: int,
                                      fragment: str) -> None:
    reply = live.client.post("/reports", json=body)
    assert reply.status_code == code, reply.text
    assert reply.json()["code"] == code and fragment in reply.json()["description"]


def test_a_broken_workbook_is_refused_with_its_location(live: Live, tmp_path: Path) -> None:
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: unsupported data-validation extension
        book = openpyxl.load_workbook(template_path("2023"), data_only=True)
    book["Arrival Schedules"]["C12"] = "lots"
    folder = live.settings.report_configs_path
    folder.mkdir(parents=True, exist_ok=True)
    book.save(folder / "broken.xlsx")
    outside = tmp_path / "broken.xlsx"  # the same workbook outside the folder: not read
    book.save(outside)
    refused = live.client.post("/reports", json={"config_path": str(outside)})
    assert refused.status_code == 403 and refused.json()["code"] == 403
    reply = live.client.post("/reports", json={"config_path": "broken.xlsx"})
    assert reply.status_code == 400
    (problem,) = reply.json()["problems"]
    assert (problem["sheet"], problem["column"], problem["cell"]) == (
        "Arrival Schedules", "TUE", "C12")


def test_unknown_reports_are_404(live: Live) -> None:
    for rid in ("nonsense", "report-" + "0" * 32, "..%2F..%2Fetc"):
        reply = live.client.get(f"/reports/{rid}")
        assert reply.status_code == 404 and reply.json()["code"] == 404


def test_batch_runs_as_jobs_when_a_worker_serves_the_queue(live: Live, tmp_path: Path) -> None:
    folder = tmp_path / "workbooks"
    folder.mkdir()
    shutil.copy(template_path("2023"), folder / "a.xlsx")
    shutil.copy(template_path("2024"), folder / "b.xlsx")
    started = time.monotonic()
    result = run_batch(folder, tmp_path / "out", weeks=0.5, reps=1,
                       redis_url=live.settings.redis_url, queue_name=live.settings.queue_name,
                       timeout=120, progress=False)
    assert result.mode == "queue" and result.failed == []
    assert all(i.job_id and i.html.is_file() for i in result.items)
    assert "run queue" in (tmp_path / "out" / "index.html").read_text()
    assert time.monotonic() - started < 90


def test_a_workbook_in_the_configurations_folder_is_reported(live: Live) -> None:
    folder = live.settings.report_configs_path
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(template_path("2024"), folder / "lab 2024.xlsx")
    reply = live.client.post("/reports", json={"config_path": "lab 2024.xlsx", "weeks": 0.2,
                                               "reps": 1})
    assert reply.status_code == 202, reply.text
    done = _until_finished(live.client, reply.json()["report_id"])
    assert done.status_code == 200 and "lab-2024" in done.text
