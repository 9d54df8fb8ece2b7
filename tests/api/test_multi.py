"""A multi-scenario analysis of two workbooks, run with common random numbers."""

from __future__ import annotations

import pytest
from api_helpers import Live, upload, workbook_bytes
from sqlalchemy import select
from twin_helpers import wait_until

from hospital_twin.jobs.queue import connect, scenario_queue
from hospital_twin.store import analysis_info, get_scenario, reading, set_report
from hospital_twin.store.replications import list_replications

TOKEN = {"Authorization": "Bearer s3cret"}


def _more_staff(book) -> None:
    sheet = book["Resources"]
    for col in range(9, 9 + 48):  # every half hour of the first resource row
        value = sheet.cell(row=4, column=col).value
        if isinstance(value, int | float):
            sheet.cell(row=4, column=col).value = value + 2


@pytest.fixture(scope="module")
def idle(redis_url, tmp_path_factory):
    """An API with no worker (jobs stay queued), a bearer token, fan-out from 3 replications."""
    server = Live(redis_url, tmp_path_factory.mktemp("idle-multi"), worker=False,
                  HOSPITAL_TWIN_API_TOKEN="s3cret", HOSPITAL_TWIN_FANOUT_REPS="3")
    yield server
    server.close()


def _submit_two(server: Live, num_reps: int) -> tuple[int, list[int]]:
    reply = server.client.post(
        "/multi", headers=TOKEN,
        files=[("config_1", upload("base.xlsx", workbook_bytes())),
               ("config_2", upload("more-staff.xlsx", workbook_bytes(_more_staff)))],
        data={"sim_hours": "48", "num_reps": str(num_reps)})
    assert reply.status_code == 200, reply.text
    return reply.json()["analysis_id"], reply.json()["scenario_ids"]


def _queued_job_ids(server: Live) -> set[str]:
    return set(scenario_queue(connect(server.settings.redis_url),
                              server.settings.queue_name).job_ids)


def _assert_gone(server: Live, aid: int, ids: list[int]) -> None:
    for path in (f"/multi/{aid}/status", *(f"/scenarios/{sid}/status" for sid in ids)):
        reply = server.client.get(path)
        assert reply.status_code == 404 and reply.json()["code"] == 404, path
    assert aid not in [a["analysis_id"] for a in server.client.get("/multi").json()]
    with reading(server.engine) as conn:
        assert conn.execute(select(analysis_info)
                            .where(analysis_info.c.analysis_id == aid)).first() is None


def test_delete_analysis_cancels_jobs_and_removes_files(idle, tmp_path):
    aid, ids = _submit_two(idle, num_reps=1)
    jobs = {get_scenario(idle.engine, sid)["job_id"] for sid in ids}
    assert len(jobs) == 2 and jobs <= _queued_job_ids(idle)
    files = []
    for sid in ids:  # report files as a finished run leaves them
        notebook, html = tmp_path / f"scenario-{sid}.ipynb", tmp_path / f"scenario-{sid}.html"
        notebook.write_text("{}")
        html.write_text("<html></html>")
        set_report(idle.engine, sid, str(notebook), str(html))
        files += [notebook, html]

    # a write endpoint: refused without the bearer token, nothing deleted
    refused = idle.client.delete(f"/multi/{aid}")
    assert refused.status_code == 401 and "Bearer" in refused.json()["description"]
    assert idle.client.get(f"/multi/{aid}/status").status_code == 200
    assert jobs <= _queued_job_ids(idle) and all(f.exists() for f in files)

    reply = idle.client.delete(f"/multi/{aid}/", headers=TOKEN)  # trailing slash
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"deleted": aid, "scenario_ids": ids}
    _assert_gone(idle, aid, ids)
    assert not jobs & _queued_job_ids(idle)
    assert not any(f.exists() for f in files)


def test_delete_fanned_out_analysis_cancels_replication_jobs(idle):
    aid, ids = _submit_two(idle, num_reps=3)  # HOSPITAL_TWIN_FANOUT_REPS=3: one job per rep
    jobs = {rep["job_id"] for sid in ids for rep in list_replications(idle.engine, sid)}
    assert len(jobs) == 6 and jobs <= _queued_job_ids(idle)

    reply = idle.client.delete(f"/multi/{aid}", headers=TOKEN)
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"deleted": aid, "scenario_ids": ids}
    _assert_gone(idle, aid, ids)
    assert not jobs & _queued_job_ids(idle)
    assert all(list_replications(idle.engine, sid) == [] for sid in ids)


def test_delete_unknown_analysis_is_404(idle):
    for path in ("/multi/999999", "/multi/999999/", "/multi/abc"):
        reply = idle.client.delete(path, headers=TOKEN)
        body = reply.json()
        assert reply.status_code == 404 and body["code"] == 404, path
        assert body["name"] == "Not Found" and "unknown analysis" in body["description"]


def test_two_workbooks_compared(live):
    reply = live.client.post(
        "/multi/",
        files=[("config_1", upload("base.xlsx", workbook_bytes())),
               ("config_2", upload("more-staff.xlsx", workbook_bytes(_more_staff)))],
        data={"sim_hours": "48", "num_reps": "2", "name": "staffing"})
    assert reply.status_code == 200, reply.text
    analysis = reply.json()
    aid, ids = analysis["analysis_id"], analysis["scenario_ids"]
    assert len(ids) == 2 and analysis["progress"] == 0 and "completed" not in analysis
    seeds = {get_scenario(live.engine, sid)["seed"] for sid in ids}
    assert len(seeds) == 1  # one seed for every scenario of the analysis
    assert live.client.get(f"/multi/{aid}/results").status_code == 404

    wait_until(lambda: live.client.get(f"/multi/{aid}/status").json()["progress"] == 1,
               90, 0.2, "the analysis to finish")
    status = live.client.get(f"/multi/{aid}/status").json()
    assert status["status"] == "done" and status["completed"] >= status["created"]
    names = [live.client.get(f"/scenarios/{i}/status").json()["name"] for i in ids]
    assert names == ["base", "more-staff"]
    listed = live.client.get("/multi").json()
    assert isinstance(listed, list) and aid in [a["analysis_id"] for a in listed]

    body = live.client.get(f"/multi/{aid}/results").json()
    assert body["scenario_ids"] == ids and body["completed"] == status["completed"]
    labels = [str(i) for i in ids]
    assert body["mean_tat"]["x"] == labels and len(body["mean_tat"]["ymin"]) == 2
    singles = [live.client.get(f"/scenarios/{i}/results").json() for i in ids]
    assert body["mean_tat"]["y"] == [s["overall_tat"] for s in singles]
    # whether work piles up is said first, in plain words, for each scenario
    assert all(next(iter(s)) == "stability" for s in singles)
    assert body["stability"] == {label: s["stability"]["message"]
                                 for label, s in zip(labels, singles, strict=True)}
    assert all(m.startswith("Too short to tell") for m in body["stability"].values())
    resource = singles[0]["utilization_by_resource"]["x"][0]
    assert body["mean_utilisation"][resource]["y"] == [
        s["utilization_by_resource"]["y"][0] for s in singles]
    hourly = body["utilisation_hourlies"][resource]
    assert hourly["labels"] == labels and len(hourly["y"]) == 2
    assert hourly["x"] == singles[0]["hourly_utilization_by_resource"]["x"]
    paired = body["paired_differences"]
    assert paired["base_scenario_id"] == ids[0]
    diff = paired["differences"][labels[1]]
    assert diff["common_random_numbers"] is True and diff["pairs"] == 2
    expected = singles[1]["replications"][0]["overall_tat"] - singles[0]["replications"][0][
        "overall_tat"]
    tat = diff["differences"]["overall_tat"]
    assert tat["n"] == 2 and tat["min"] <= tat["mean"] <= tat["max"]
    assert abs(tat["mean"] - (expected + singles[1]["replications"][1]["overall_tat"]
                              - singles[0]["replications"][1]["overall_tat"]) / 2) < 1e-9
