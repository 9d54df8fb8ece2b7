"""Every error is a JSON ``{code, name, description}``, and nothing is stored or queued."""

from __future__ import annotations

import os
import signal
from concurrent.futures import ThreadPoolExecutor

import pytest
from api_helpers import ORIGIN, Live, upload, workbook_bytes
from twin_helpers import wait_until

from hospital_twin.jobs.queue import connect, scenario_queue
from hospital_twin.services.redis_server import free_port
from hospital_twin.store import get_scenario, init_db, list_analyses, list_scenarios

FIELDS = {"sim_hours": "48", "num_reps": "1"}


def _bad_cell(book) -> None:
    book["Task Durations"]["C10"] = "lots"


def _count(live) -> tuple[int, int]:
    return len(live.client.get("/scenarios").json()), len(live.client.get("/multi").json())


def _error(reply, code: int) -> dict:
    assert reply.status_code == code, reply.text
    body = reply.json()
    assert body["code"] == code and body["name"] and body["description"]
    return body


@pytest.fixture(scope="module")
def idle(redis_url, tmp_path_factory):
    """An API with no worker: submissions stay queued (and token-protected writes)."""
    server = Live(redis_url, tmp_path_factory.mktemp("idle"), worker=False,
                  HOSPITAL_TWIN_API_TOKEN="s3cret")
    yield server
    server.close()


def test_bad_inputs_store_nothing(live):
    before = _count(live)
    body = _error(live.client.post(
        "/scenarios", files={"config": upload("bad.xlsx", workbook_bytes(_bad_cell))},
        data=FIELDS), 400)
    assert 'sheet "Task Durations"' in body["description"] and "cell C10" in body["description"]
    assert "expected a number, got 'lots'" in body["description"]
    assert body["problems"][0]["cell"] == "C10" and body["problems"][0]["row"] == "Cut-up (BMS)"

    good = {"config": upload("cuh.xlsx", workbook_bytes())}
    body = _error(live.client.post("/scenarios", files=good, data={"num_reps": "2"}), 400)
    assert "missing form field 'sim_hours'" in body["description"]
    body = _error(live.client.post("/scenarios", files=good,
                                   data={"sim_hours": "-1", "num_reps": "x"}), 400)
    assert "'sim_hours' must be > 0" in body["description"]
    assert "'num_reps' must be an integer" in body["description"]
    body = _error(live.client.post("/scenarios", data=FIELDS, files={"other": ("a", b"x")}), 400)
    assert "missing file field 'config'" in body["description"]
    _error(live.client.post("/scenarios", json={"sim_hours": 1}), 400)
    body = _error(live.client.post("/scenarios", data=FIELDS,
                                   files={"config": upload("notes.xlsx", b"hello, world")}), 400)
    assert "not a workbook" in body["description"]
    # a multi analysis with one bad workbook among good ones stores nothing at all
    body = _error(live.client.post("/multi", data=FIELDS, files=[
        ("config_1", upload("ok.xlsx", workbook_bytes())),
        ("config_2", upload("broken.xlsx", workbook_bytes(_bad_cell)))]), 400)
    assert "broken.xlsx" in body["description"] and "ok.xlsx" not in body["description"]
    _error(live.client.post("/multi", data=FIELDS), 400)
    # oversize uploads are refused before they are read
    body = _error(live.client.post("/scenarios", data=FIELDS,
                                   files={"config": upload("big.xlsx", b"x" * 1_500_000)}), 413)
    assert "1000000 bytes" in body["description"]
    assert _count(live) == before


def test_unknown_ids_and_methods(live):
    for path in ("/scenarios/999999/status", "/scenarios/999999/results",
                 "/scenarios/999999/report", "/scenarios/abc/status", "/multi/999999/status",
                 "/multi/999999/results", "/multi/x/results/", "/no/such/path"):
        body = _error(live.client.get(path), 404)
        assert "unknown" in body["description"] or body["description"] == "Not Found", path
    _error(live.client.delete("/scenarios/999999"), 404)
    body = _error(live.client.delete("/"), 403)
    assert "HOSPITAL_TWIN_ALLOW_RESET" in body["description"]
    ping = live.client.request("GET", "/", content=b"PING")
    assert (ping.status_code, ping.text) == (200, "PONG")
    health = live.client.get("/").json()
    assert health["status"] == "ok" and health["queue"] == "ok" and health["workers"] >= 1
    assert live.client.get("/docs").status_code == 200
    assert "/scenarios" in live.client.get("/openapi.json").json()["paths"]


def test_cors_preflight(live):
    for path in ("/scenarios", "/scenarios/", "/multi", "/"):
        reply = live.client.options(path, headers={
            "Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
        assert reply.status_code == 200, path
        assert reply.headers["access-control-allow-origin"] == ORIGIN
    denied = live.client.options("/scenarios", headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in denied.headers
    simple = live.client.get("/scenarios", headers={"Origin": ORIGIN})
    assert simple.headers["access-control-allow-origin"] == ORIGIN


def test_killed_worker_shows_failed_with_reason(live):
    reply = live.client.post("/scenarios", files={"config": upload("c.xlsx", workbook_bytes())},
                             data={"sim_hours": "20000", "num_reps": "4"})
    sid = reply.json()["scenario_id"]
    wait_until(lambda: live.client.get(f"/scenarios/{sid}/status").json()["status"]
               == "running", 60, 0.1, "the job to start")
    os.kill(get_scenario(live.engine, sid)["worker_pid"], signal.SIGKILL)
    wait_until(lambda: live.client.get(f"/scenarios/{sid}/status").json()["status"]
               == "failed", 30, 0.1, "the failure to be recorded")
    status = live.client.get(f"/scenarios/{sid}/status").json()
    assert "killed by signal 9" in status["error"] and status["progress"] < 1
    body = _error(live.client.get(f"/scenarios/{sid}/results"), 404)
    assert "failed" in body["description"] and "killed" in body["description"]


def test_fifty_concurrent_submissions(idle):
    data = workbook_bytes()
    auth = {"Authorization": "Bearer s3cret"}

    def post(i: int) -> int:
        reply = idle.client.post("/scenarios", headers=auth, data=FIELDS | {"name": f"n{i}"},
                                 files={"config": upload("c.xlsx", data)})
        assert reply.status_code == 200, reply.text
        return reply.json()["scenario_id"]

    with ThreadPoolExecutor(50) as pool:
        ids = list(pool.map(post, range(50)))
    assert len(set(ids)) == 50
    rows = idle.client.get("/scenarios").json()
    assert sorted(r["scenario_id"] for r in rows) == sorted(ids)
    assert sorted(r["name"] for r in rows) == sorted(f"n{i}" for i in range(50))
    queue = scenario_queue(connect(idle.settings.redis_url), idle.settings.queue_name)
    assert queue.count == 50 and len(set(queue.job_ids)) == 50
    queue.empty()
    # writes need the bearer token on this server
    body = _error(idle.client.post("/scenarios", data=FIELDS,
                                   files={"config": upload("c.xlsx", data)}), 401)
    assert "Bearer" in body["description"]
    assert len(idle.client.get("/scenarios").json()) == 50


def test_redis_down_gives_503_and_no_row(tmp_path):
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    server = Live(dead, tmp_path, worker=False, HOSPITAL_TWIN_ALLOW_RESET="true")
    try:
        client = server.client
        assert client.get("/").json()["queue"].startswith("unreachable")
        body = _error(client.post("/scenarios", data=FIELDS,
                                  files={"config": upload("c.xlsx", workbook_bytes())}), 503)
        assert "unreachable" in body["description"] and "nothing was stored" in body["description"]
        _error(client.post("/multi", data=FIELDS, files=[
            ("a", upload("a.xlsx", workbook_bytes())), ("b", upload("b.xlsx", workbook_bytes()))]),
            503)
        assert client.get("/scenarios").json() == [] and client.get("/multi").json() == []
        engine = init_db(server.settings.db_path)
        assert list_scenarios(engine) == [] and list_analyses(engine) == []
        engine.dispose()
        assert client.delete("/").json() == {"reset": True}
    finally:
        server.close()
