"""``POST /validations`` + ``GET /validations/{id}`` against a real API, worker and Redis."""

from __future__ import annotations

from pathlib import Path

import httpx
import pandas as pd
import pytest
from api_helpers import upload, workbook_bytes
from twin_helpers import wait_until

from hospital_twin.config import default_config
from hospital_twin.lims import event_log_frame
from hospital_twin.model import run_replication


@pytest.fixture(scope="module")
def log_csv() -> bytes:
    """One week of the bundled lab's specimens after a week's run (about 0.6 MB)."""
    frame = event_log_frame(run_replication(default_config().with_run(seed=7), 0,
                                            sim_hours=2 * 168), "2024-01-01")
    frame = frame[pd.to_datetime(frame["received"]) >= pd.Timestamp("2024-01-08")]
    return frame.to_csv(index=False).encode()


def _reports_dir(live) -> Path:
    return Path(live.settings.reports_dir).resolve()


def _until_done(client: httpx.Client, url: str) -> httpx.Response:
    def poll() -> httpx.Response | None:
        reply = client.get(url)
        return None if reply.status_code == 202 else reply
    return wait_until(poll, 240, 0.5, f"validation {url}")


def test_upload_log_and_workbook_then_fetch_json_and_html(live, log_csv) -> None:
    reply = live.client.post(
        "/validations", data={"reps": "3", "warmup_weeks": "1", "seed": "4"},
        files={"log": ("lims.csv", log_csv, "text/csv"),
               "config": upload("lab.xlsx", workbook_bytes())})
    assert reply.status_code == 202, reply.text
    body = reply.json()
    assert body["status"] == "queued" and body["url"] == f"/validations/{body['validation_id']}"
    done = _until_done(live.client, body["url"])
    assert done.status_code == 200 and done.headers["content-type"] == "application/json"
    result = done.json()
    assert result["log"] == "lims.csv" and result["config"] == "lab.xlsx"
    assert result["reps"] == 3 and result["seed"] == 4 and "1 week" in result["start_state"]
    assert len(result["rows"]) == 44
    assert result["specimens"] == log_csv.count(b"\n") - 1
    page = live.client.get(body["url"], params={"format": "html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Validation: lab.xlsx against lims.csv" in page.text
    assert page.text.count('data-verdict="') == 44


def test_bad_log_is_refused_with_rows_and_columns_and_nothing_is_kept(live) -> None:
    before = set(_reports_dir(live).iterdir()) if _reports_dir(live).exists() else set()
    bad = (b"specimen_id,pathway,priority,received,cutup_end,processing_end,microtomy_end,"
           b"staining_end,scanning_end,qc_end,reported\n"
           b"A,cancer,Urgent,2024-01-01T08:00,2023-12-31T08:00,,,,,,\n"
           b"A,cancer,Soon,2024-01-01T09:00,,,,,,,\n")
    reply = live.client.post("/validations", files={
        "log": ("bad.csv", bad, "text/csv"), "config": upload("lab.xlsx", workbook_bytes())})
    assert reply.status_code == 400
    texts = [p["text"] for p in reply.json()["problems"]]
    assert any('row "2", column "cutup_end"' in t and "out of order" in t for t in texts)
    assert any('row "3", column "specimen_id"' in t and "duplicate" in t for t in texts)
    assert any('row "3", column "priority"' in t for t in texts)
    after = set(_reports_dir(live).iterdir()) if _reports_dir(live).exists() else set()
    assert after == before


def test_bad_workbook_and_form_are_refused(live, log_csv) -> None:
    reply = live.client.post("/validations", files={
        "log": ("lims.csv", log_csv, "text/csv"), "config": upload("notes.xlsx", b"hello")})
    assert reply.status_code == 400 and "invalid workbook" in reply.json()["description"]
    reply = live.client.post("/validations", data={"reps": "1"},
                             files={"config": upload("lab.xlsx", workbook_bytes())})
    assert reply.status_code == 400
    description = reply.json()["description"]
    assert "missing file 'log'" in description and "'reps' must be >= 2" in description
    assert live.client.get("/validations/validation-" + "0" * 32).status_code == 404
    assert live.client.get("/validations/nonsense").status_code == 404


def test_a_failed_job_answers_with_its_reason(live, log_csv) -> None:
    """Queued directly (the API would have refused it): the stored configuration is broken."""
    from hospital_twin.jobs.queue import connect
    from hospital_twin.lims.jobs import enqueue_validation, new_validation_id

    validation_id = new_validation_id()
    folder = _reports_dir(live) / validation_id
    folder.mkdir(parents=True)
    (folder / "log.csv").write_bytes(log_csv)
    (folder / "config.json").write_text('{"arrivals": {"cancer": [1]}}')
    (folder / "names.json").write_text('{"log": "lims.csv", "config": "broken.json"}')
    enqueue_validation(connect(live.settings.redis_url), live.settings.queue_name, folder,
                       reps=2, warmup_weeks=0, seed=None, timeout=120, result_ttl=600,
                       validation_id=validation_id)
    reply = _until_done(live.client, f"/validations/{validation_id}")
    body = reply.json()
    assert reply.status_code == 200 and body["status"] == "failed"
    assert body["error"].startswith("broken.json:") and "arrivals" in body["error"]
    assert live.client.get(f"/validations/{validation_id}",
                           params={"format": "html"}).json()["status"] == "failed"
