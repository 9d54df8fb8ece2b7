"""Upload the reference workbook, watch progress 0 → 1/3 → 2/3 → 1, fetch results and report."""

from __future__ import annotations

from api_helpers import ORIGIN, upload
from twin_helpers import REFERENCE_WORKBOOK, wait_until

from hospital_twin.kpis import validate_results


def test_reference_workbook_end_to_end(live):
    reply = live.client.post(
        "/scenarios", files={"config": upload("cuh-config.xlsx", REFERENCE_WORKBOOK.read_bytes())},
        data={"sim_hours": "168", "num_reps": "3", "name": "reference", "seed": "21"})
    assert reply.status_code == 200, reply.text
    created = reply.json()
    sid = created["scenario_id"]
    assert isinstance(created["created"], float) and created["name"] == "reference"
    assert "completed" not in created and "analysis_id" not in created

    early = live.client.get(f"/scenarios/{sid}/results")
    assert early.status_code == 404 and "not finished" in early.json()["description"]

    seen: list[float] = []

    def done() -> bool:
        body = live.client.get(f"/scenarios/{sid}/status").json()
        if not seen or seen[-1] != body["progress"]:
            seen.append(body["progress"])
        return body["status"] in ("done", "failed")

    wait_until(done, 90, 0.02, "the scenario to finish")
    assert seen == [0.0, 1 / 3, 2 / 3, 1.0]
    status = live.client.get(f"/scenarios/{sid}/status").json()
    assert status["progress"] == 1 and status["status"] == "done"
    assert status["completed"] >= status["created"] and status["seed"] == 21

    listed = live.client.get("/scenarios").json()
    assert isinstance(listed, list) and [s["scenario_id"] for s in listed].count(sid) == 1

    results = live.client.get(f"/scenarios/{sid}/results")
    assert results.headers["content-type"] == "application/json"
    body = results.json()
    validate_results(body)
    assert body["overall_tat_min"] < body["overall_tat"] < body["overall_tat_max"]
    assert len(body["utilization_by_resource"]["ymin"]) == len(
        body["utilization_by_resource"]["x"])

    report = wait_until(lambda: (lambda r: r.status_code == 200 and r)(
        live.client.get(f"/scenarios/{sid}/report")), 20, 0.2, "the report")
    assert report.headers["content-type"].startswith("text/html")
    assert "Scenario report" in report.text and "replication 3/3 done" in report.text
    notebook = live.client.get(f"/scenarios/{sid}/report?format=ipynb")
    assert notebook.status_code == 200 and notebook.json()["cells"]

    # every path answers with and without a trailing slash, never with a redirect
    for path in ("/", "/scenarios", f"/scenarios/{sid}/status", f"/scenarios/{sid}/results",
                 f"/scenarios/{sid}/report", "/multi", "/config/template"):
        plain, slashed = live.client.get(path), live.client.get(path.rstrip("/") + "/")
        assert plain.status_code == slashed.status_code == 200, path
        assert plain.content == slashed.content or path == "/"
    template = live.client.get("/config/template")
    assert template.content == REFERENCE_WORKBOOK.read_bytes()

    # delete: the row and its report are gone
    deleted = live.client.delete(f"/scenarios/{sid}/", headers={"Origin": ORIGIN})
    assert deleted.json() == {"deleted": sid}
    assert live.client.get(f"/scenarios/{sid}/status").status_code == 404
    assert live.client.get(f"/scenarios/{sid}/report").status_code == 404
