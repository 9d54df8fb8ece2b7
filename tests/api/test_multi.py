"""A multi-scenario analysis of two workbooks, run with common random numbers."""

from __future__ import annotations

from api_helpers import upload, workbook_bytes
from twin_helpers import wait_until

from hospital_twin.store import get_scenario


def _more_staff(book) -> None:
    sheet = book["Resources"]
    for col in range(9, 9 + 48):  # every half hour of the first resource row
        value = sheet.cell(row=4, column=col).value
        if isinstance(value, int | float):
            sheet.cell(row=4, column=col).value = value + 2


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
