"""The service's HTTP API against the real running service: earlier layouts, history, alerts."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

import httpx
import pytest
from sensor_helpers import STALE_SECONDS, wait_until

ORIGIN = "http://localhost:3000"
DAY = datetime(2026, 1, 15, 10, tzinfo=UTC).timestamp()  # 10:00 UTC on 15/01/2026
HIST_DEV = "elsys-co2-058c3e"
CO2 = [400 + (i * 53) % 300 for i in range(24)]  # every 5 min from 10:00 to 11:55


@pytest.fixture(scope="module")
def api(service) -> httpx.Client:
    with httpx.Client(base_url=service.url, follow_redirects=False, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def known_history(api) -> None:
    docs = [{"acp_id": HIST_DEV, "acp_ts": DAY + i * 300,
             "payload": {"co2": co2, "temperature": 21.0}} for i, co2 in enumerate(CO2)]
    reply = api.post("/readings", json=docs)
    assert reply.status_code == 202 and reply.json() == {"accepted": 24, "rejected": 0}
    wait_until(lambda: len(api.get(f"/devices/{HIST_DEV}/history", params={
        "start": "2026-01-15T10:00:00Z", "end": "2026-01-15T12:00:00Z",
        "resolution": "raw"}).json()["readings"]) == 24, 2)


@pytest.mark.parametrize("path", ["/", "/latest/", "/latest", "/devices", "/devices/",
                                  "/alerts", "/alerts/", "/stats"])
def test_paths_answer_without_redirects(api, path) -> None:
    reply = api.get(path)
    assert reply.status_code == 200, reply.text
    if path.startswith(("/latest", "/devices", "/alerts")):
        assert isinstance(reply.json(), list)


def test_health_and_latest_layout(api) -> None:
    assert api.get("/").json()["status"] == "ok"
    now = time.time()
    api.post("/readings/", json={"acp_id": "elsys-ems-05f3a1", "acp_ts": now,
                                 "payload": {"co2": 480, "temperature": 22.0, "humidity": 44}})
    row = wait_until(lambda: next((r for r in api.get("/latest/").json()
                                   if r["acp_id"] == "elsys-ems-05f3a1" and r["acp_ts"] == now),
                                  None), 1)
    assert row == {"acp_id": "elsys-ems-05f3a1", "acp_ts": now,
                   "payload": {"co2": 480, "temperature": 22.0, "humidity": 44}}


def test_cors_preflight_of_history(api) -> None:
    for path in ("/history/", "/history"):
        reply = api.options(path, headers={"Origin": ORIGIN,
                                           "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "content-type"})
        assert reply.status_code == 200
        assert reply.headers["access-control-allow-origin"] == ORIGIN
    other = api.options("/history/", headers={"Origin": "http://evil.example",
                                              "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in other.headers
    assert api.get("/", headers={"Origin": ORIGIN}).headers["access-control-allow-origin"] == ORIGIN


def test_earlier_history_by_whole_days(api, known_history) -> None:
    body = {"acp_id": HIST_DEV, "start_time": "15/01/2026", "end_time": "15/01/2026"}
    rows = api.post("/history/", json=body).json()
    assert [r["acp_ts"] for r in rows] == [DAY + i * 300 for i in range(24)]
    assert rows[0] == {"acp_id": HIST_DEV, "acp_ts": DAY, "payload": {"co2": CO2[0],
                                                                      "temperature": 21.0}}
    empty = api.post("/history", json={**body, "start_time": "16/01/2026",
                                       "end_time": "20/01/2026"})
    assert empty.status_code == 200 and empty.json() is None
    bad = api.post("/history/", json={**body, "start_time": "2026-01-15"})
    assert bad.status_code == 422 and "DD/MM/YYYY" in bad.json()["detail"]


def test_sub_day_history_with_downsampling(api, known_history) -> None:
    params = {"start": "2026-01-15T10:00:00Z", "end": "2026-01-15T12:00:00Z"}
    hourly = api.get(f"/devices/{HIST_DEV}/history", params={**params, "resolution": "1h"})
    body = hourly.json()
    assert body["resolution"] == 3600 and body["units"]["co2"] == "ppm"
    assert [b["ts"] for b in body["buckets"]] == [DAY, DAY + 3600]
    for k, bucket in enumerate(body["buckets"]):
        chunk = CO2[k * 12:(k + 1) * 12]
        assert bucket["values"]["co2"] == {"mean": pytest.approx(statistics.fmean(chunk)),
                                           "min": min(chunk), "max": max(chunk), "n": 12}
    quarter = api.get(f"/devices/{HIST_DEV}/history", params={**params, "resolution": "PT15M"})
    assert [b["values"]["co2"]["max"] for b in quarter.json()["buckets"]] == [
        max(CO2[i:i + 3]) for i in range(0, 24, 3)]
    minute = api.get(f"/devices/{HIST_DEV}/history", params={**params, "resolution": "1m"})
    assert len(minute.json()["buckets"]) == 24
    raw = api.get(f"/devices/{HIST_DEV}/history", params={
        "start": "2026-01-15T10:30:00Z", "end": "2026-01-15T10:45:00Z", "resolution": "raw"})
    assert [r["payload"]["co2"] for r in raw.json()["readings"]] == CO2[6:9]
    bad = api.get(f"/devices/{HIST_DEV}/history", params={**params, "resolution": "often"})
    assert bad.status_code == 422 and "resolution" in bad.json()["detail"]


def test_threshold_alert_raises_and_clears(api) -> None:
    dev, now = "elsys-co2-058c08", time.time()
    api.post("/readings", json={"acp_id": dev, "acp_ts": now, "payload": {"co2": 1500}})
    alert = wait_until(lambda: next((a for a in api.get("/alerts").json() if a["acp_id"] == dev
                                     and a["key"] == "co2" and a["active"]), None), 1)
    assert alert["raised_ts"] == now and alert["value"] == 1500 and alert["max"] == 1000
    api.post("/readings", json={"acp_id": dev, "acp_ts": now + 1, "payload": {"co2": 650}})
    done = wait_until(lambda: next((a for a in api.get("/alerts").json()
                                    if a["id"] == alert["id"] and not a["active"]), None), 1)
    assert done["cleared_ts"] == now + 1


def test_stale_alert_raises_and_clears(api) -> None:
    dev = "elsys-snd-0a4c19"
    sent = time.time()
    api.post("/readings", json={"acp_id": dev, "acp_ts": sent, "payload": {"soundAvg": 40}})

    def stale_alert() -> dict | None:
        return next((a for a in api.get("/alerts").json() if a["acp_id"] == dev
                     and a["kind"] == "stale" and a["active"] and a["raised_ts"] > sent), None)

    alert = wait_until(stale_alert, STALE_SECONDS + 3, 0.2)
    assert alert["raised_ts"] - sent >= STALE_SECONDS
    status = next(d for d in api.get("/devices").json() if d["acp_id"] == dev)
    assert status["status"] == "stale"
    api.post("/readings", json={"acp_id": dev, "acp_ts": time.time(), "payload": {"soundAvg": 41}})
    wait_until(lambda: next((a for a in api.get("/alerts").json() if a["id"] == alert["id"]
                             and a["cleared_ts"]), None), 1)
    assert next(d for d in api.get("/devices").json() if d["acp_id"] == dev)["status"] == "online"


def test_post_readings_rejects_bad_input_readably(api) -> None:
    reply = api.post("/readings", content=b"{nope")
    assert reply.status_code == 422 and "not JSON" in reply.json()["detail"]
    mixed = api.post("/readings", json=[{"acp_id": "elsys-co2-058ae0", "acp_ts": time.time(),
                                         "payload": {"co2": 500}},
                                        {"acp_id": "elsys-co2-058ae0", "payload": {}}])
    assert mixed.json() == {"accepted": 1, "rejected": 1}
