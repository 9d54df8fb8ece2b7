"""Dashboard logic against the real service: live buffer, history/CSV, recovery after restart."""

from __future__ import annotations

import csv
import io
import time

import httpx
from sensor_helpers import service_env, wait_until

from hospital_twin.sensors.client import SensorClient
from hospital_twin.sensors.dashboard import SensorDashboard
from hospital_twin.sensors.process import ServiceProcess
from hospital_twin.sensors.views import filter_devices, history_csv, utc

DEV = "elsys-co2-058b5d"


def _post(url: str, ts: float, co2: float) -> None:
    doc = {"acp_id": DEV, "acp_ts": ts, "payload": {"co2": co2, "temperature": 21.0}}
    assert httpx.post(url + "/readings", json=doc).status_code == 202


def test_dashboard_follows_the_service_and_recovers_after_a_restart(broker, tmp_path) -> None:
    svc = ServiceProcess(service_env(tmp_path / "d.db", broker)).start()
    dash = SensorDashboard(SensorClient(svc.url), poll_seconds=0.2, live_points=5)
    try:
        t0 = time.time() - 60  # readings in the past: history up to 'now' shows them all
        _post(svc.url, t0, 500)
        wait_until(lambda: DEV in dash.device.options, 5)
        dash.device.value = DEV
        dash.reading.value = "co2"
        wait_until(lambda: list(dash.live) == [(t0, 500)], 5)
        assert "sensor-table" in dash.table.value and DEV in dash.table.value
        assert dash.live_fig.layout.yaxis.title.text == "CO₂ (ppm)"
        dash.f_room.value = "microtomy"
        assert dash.table.value.count("<tr class=") == 3  # the room's three devices

        svc.stop()
        wait_until(lambda: "unreachable" in dash.status.value, 5)
        svc.start()
        for i in range(1, 8):  # more than the live buffer holds
            _post(svc.url, t0 + i, 500 + i)
        wait_until(lambda: "updated" in dash.status.value and len(dash.live) == 5
                   and dash.live[-1] == (t0 + 7, 507), 10)
        assert list(dash.live_fig.data[0].y) == [503, 504, 505, 506, 507]

        dash.range.value, dash.resolution.value = "Last hour", "raw"
        dash.show_history()
        assert list(dash.hist_fig.data[2].y) == [500 + i for i in range(8)]
        assert dash.hist_fig.layout.yaxis.title.text == "CO₂ (ppm)"
        assert "download=" in dash.export.value and ".csv" in dash.export.value
    finally:
        dash.close()
        svc.stop()


def test_history_csv_and_filters() -> None:
    raw = {"units": {"co2": "ppm"}, "readings": [
        {"acp_ts": 1_790_000_000.0, "payload": {"co2": 450}},
        {"acp_ts": 1_790_000_060.0, "payload": {"temperature": 20}}]}
    rows = list(csv.reader(io.StringIO(history_csv(raw, "co2"))))
    assert rows == [["time_utc", "acp_ts", "co2 [ppm]"],
                    [utc(1_790_000_000).isoformat(), "1790000000.0", "450"]]
    agg = {"units": {"co2": "ppm"}, "buckets": [
        {"ts": 1_790_000_100.0, "values": {"co2": {"mean": 5.5, "min": 1, "max": 10, "n": 10}}}]}
    rows = list(csv.reader(io.StringIO(history_csv(agg, "co2"))))
    assert rows[0] == ["bucket_start_utc", "n", "mean [ppm]", "min [ppm]", "max [ppm]"]
    assert rows[1] == [utc(1_790_000_100).isoformat(), "10", "5.5", "1", "10"]
    devices = [{"room": "a", "type": "t1", "status": "online"},
               {"room": "b", "type": "t1", "status": "stale"}]
    assert filter_devices(devices, "All", "t1", "stale") == [devices[1]]
    assert filter_devices(devices, "a", "All", "All") == [devices[0]]
