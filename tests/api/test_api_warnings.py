"""The API's reply to a submission carries the lab's warnings; the scenario is queued."""

from __future__ import annotations

import pytest
from api_helpers import upload, workbook_bytes
from dead_labs import DEAD_LABS, dead_workbook

FIELDS = {"sim_hours": "24", "num_reps": "1"}


@pytest.fixture(scope="module")
def idle(redis_url, tmp_path_factory):
    from api_helpers import Live

    server = Live(redis_url, tmp_path_factory.mktemp("warnings"), worker=False)
    yield server
    server.close()


@pytest.mark.parametrize("name", DEAD_LABS)
def test_submission_reply_warns_and_queues(idle, name):
    reply = idle.client.post("/scenarios", data=FIELDS,
                             files={"config": upload(f"{name}.xlsx", dead_workbook(name))})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["status"] == "queued" and body["name"] == name
    assert len(body["warnings"]) == 1 and body["warnings"][0].startswith(DEAD_LABS[name][1])
    assert idle.client.get(f"/scenarios/{body['scenario_id']}/status").json()["status"] == \
        "queued"


def test_a_sound_lab_has_an_empty_warning_list(idle):
    reply = idle.client.post("/scenarios", data=FIELDS,
                             files={"config": upload("cuh.xlsx", workbook_bytes())})
    assert reply.status_code == 200 and reply.json()["warnings"] == []


def test_analysis_reply_names_the_workbook_of_each_warning(idle):
    files = [("a", upload("cuh.xlsx", workbook_bytes())),
             ("b", upload("no-arrivals.xlsx", dead_workbook("no-arrivals")))]
    reply = idle.client.post("/multi", data=FIELDS, files=files)
    assert reply.status_code == 200, reply.text
    warnings = reply.json()["warnings"]
    assert len(warnings) == 1
    assert warnings[0].startswith("no-arrivals: No specimens arrive at any hour of the week")
