"""Analyst sensor history on a real SQLite store with known readings, and the same history
asked of the real sensor service over HTTP.

The lab: room "lab" has two CO₂ sensors (A reads 1100 ppm in working hours, B 700 ppm and
is silent 12:00–15:00), "office" one (500 ppm all day, silent from 20:00), the "store"
sensor never reports, and an unregistered sensor reports all day. Every reporting sensor
sends every 5 minutes on Monday 2 March 2026; outside working hours CO₂ is 400 ppm.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hospital_twin.analysis import sensor_history as sh
from hospital_twin.charts import sensors as sensor_charts
from hospital_twin.sensors.db import open_store
from hospital_twin.sensors.messages import Reading
from hospital_twin.sensors.process import ServiceProcess
from hospital_twin.sensors.registry import load_registry
from hospital_twin.sensors.store import insert_batch
from hospital_twin.services.mosquitto import free_port

MONDAY = datetime(2026, 3, 2, tzinfo=UTC).timestamp()
HOUR = 3600.0
A, B, OFFICE, STORE = ("elsys-co2-aaaaaa", "elsys-co2-bbbbbb", "elsys-ems-cccccc",
                       "monnit-Humidity-dddddd")
STRANGER = "elsys-co2-eeeeee"
REGISTRY = {
    "devices": [
        {"id": A, "room": "lab", "floor": 1, "x": 1, "y": 1},
        {"id": B, "room": "lab", "floor": 1, "x": 2, "y": 1},
        {"id": OFFICE, "room": "office", "floor": 2, "x": 1, "y": 1},
        {"id": STORE, "room": "store", "floor": 2, "x": 5, "y": 1},
    ],
}


def _co2(acp_id: str, hour: float) -> float | None:
    """The known CO₂ of a device at an hour of Monday, or None when it is silent."""
    working = 8 <= hour < 18
    if acp_id == A:
        return 1100.0 if working else 400.0
    if acp_id == B:
        return None if 12 <= hour < 15 else (700.0 if working else 400.0)
    if acp_id == OFFICE:
        return None if hour >= 20 else 500.0
    return 450.0  # the unregistered sensor


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(database, registry file) holding the known Monday."""
    tmp = tmp_path_factory.mktemp("sensor-history")
    registry_file = tmp / "registry.json"
    registry_file.write_text(json.dumps(REGISTRY))
    registry = load_registry(registry_file)
    batch = []
    for k in range(288):
        t = MONDAY + 300 * k
        for acp_id in (A, B, OFFICE, STRANGER):
            value = _co2(acp_id, k / 12)
            if value is not None:
                batch.append(Reading(acp_id, t, {"co2": value, "temperature": 20 + k / 288},
                                     received_ts=t))
    engine = open_store(tmp / "ht.db")
    insert_batch(engine, batch, set(registry.devices))
    engine.dispose()
    return tmp / "ht.db", registry_file


@pytest.fixture(scope="module")
def history(lab: tuple[Path, Path]) -> sh.SensorHistory:
    db, registry_file = lab
    return sh.history_from_store(db, MONDAY, MONDAY + 24 * HOUR,
                                 registry=load_registry(registry_file))


def test_store_history_has_every_device_and_bucketed_readings(history) -> None:
    devices = history.devices.set_index("acp_id")
    assert list(devices.index) == [A, B, OFFICE, STORE, STRANGER]
    assert devices.loc[STRANGER, "room"] == sh.UNREGISTERED
    assert not devices.loc[STRANGER, "registered"] and devices.loc[A, "registered"]
    r = history.readings
    assert set(r["acp_id"]) == {A, B, OFFICE, STRANGER}
    a_co2 = r[(r.acp_id == A) & (r.key == "co2")]
    assert len(a_co2) == 96 and (a_co2["n"] == 3).all()  # 900 s buckets of 5-minute readings
    assert a_co2["time"].iloc[0] == history.start_time == pd.Timestamp("2026-03-02 00:00")
    assert history.end_time == pd.Timestamp("2026-03-03 00:00")
    assert set(r["quantity"]) == {"co2", "temperature"} and history.unit("co2") == "ppm"
    # the unregistered sensor's keys get their quantity from its device type
    assert set(r.loc[r.acp_id == STRANGER, "quantity"]) == {"co2", "temperature"}
    assert "5 devices (4 with data), 1068 readings in 900 s buckets" in history.summary()


def test_default_window_ends_after_the_newest_reading(lab, history) -> None:
    db, registry_file = lab
    default = sh.history_from_store(db, days=1, registry=load_registry(registry_file))
    assert (default.start, default.end) == (MONDAY, MONDAY + 24 * HOUR)
    pd.testing.assert_frame_equal(default.readings, history.readings)


def test_resample_weights_devices_by_their_readings(history) -> None:
    hourly = sh.resample(history, "co2", "1h")
    assert len(hourly) == 24 and list(hourly.columns) == ["lab", "office", sh.UNREGISTERED]
    at = hourly.loc
    assert at["2026-03-02 09:00", "lab"] == pytest.approx(900.0)  # A 1100 and B 700
    assert at["2026-03-02 13:00", "lab"] == pytest.approx(1100.0)  # B silent
    assert at["2026-03-02 03:00", "lab"] == pytest.approx(400.0)
    assert np.isnan(at["2026-03-02 21:00", "office"])  # silent hours stay empty
    per_device = sh.resample(history, "co2", "6h", by="acp_id")
    assert list(per_device.index.hour) == [0, 6, 12, 18]
    assert per_device.loc["2026-03-02 06:00", A] == pytest.approx((2 * 400 + 4 * 1100) / 6)
    with pytest.raises(ValueError, match="present: co2, temperature"):
        sh.resample(history, "humidity")


def test_daily_profile_by_hour_of_day(history) -> None:
    profile = sh.daily_profile(history, "co2")
    assert list(profile.index) == list(range(24))
    assert profile.loc[10, "lab"] == pytest.approx(900.0)
    assert profile.loc[7, "lab"] == pytest.approx(400.0)
    assert profile.loc[18, "office"] == pytest.approx(500.0)
    weekend = sh.daily_profile(history, "co2", days="weekends")  # Monday only: nothing
    assert len(weekend) == 24 and weekend.isna().all().all()
    with pytest.raises(ValueError, match="days must be"):
        sh.daily_profile(history, "co2", days="mondays")  # type: ignore[arg-type]


def test_co2_in_and_out_of_working_hours(history) -> None:
    table = sh.co2_working_hours(history, hours=(8, 18), limit=1000)
    lab = table.loc["lab"]
    assert lab["working_mean"] == pytest.approx((120 * 1100 + 84 * 700) / 204)
    assert lab["off_hours_mean"] == pytest.approx(400.0)
    assert lab["working_peak"] == 1100.0
    assert lab["hours_above_limit"] == pytest.approx(3.0)  # only while B was silent
    assert lab["share_above_limit"] == pytest.approx(0.3)
    office = table.loc["office"]
    assert office["difference"] == 0.0 and office["hours_above_limit"] == 0.0
    assert table.index[0] == "lab"  # highest working-hours mean first
    narrower = sh.co2_working_hours(history, hours=(9, 12), limit=1000)
    assert narrower.loc["lab", "working_mean"] == pytest.approx(900.0)


def test_working_hours_skip_weekends() -> None:
    friday_noon = datetime(2026, 3, 6, 12, tzinfo=UTC).timestamp()
    monday_ten = datetime(2026, 3, 9, 10, tzinfo=UTC).timestamp()
    assert sh.working_periods(friday_noon, monday_ten) == [
        (pd.Timestamp("2026-03-06 12:00"), pd.Timestamp("2026-03-06 18:00")),
        (pd.Timestamp("2026-03-09 08:00"), pd.Timestamp("2026-03-09 10:00")),
    ]
    times = pd.to_datetime(["2026-03-07 10:00", "2026-03-09 07:59", "2026-03-09 08:00",
                            "2026-03-09 17:59", "2026-03-09 18:00"])
    assert sh.in_working_hours(times).tolist() == [False, False, True, True, False]


def test_gaps_and_coverage(history) -> None:
    gaps = sh.find_gaps(history, min_gap=HOUR)
    found = {(g.acp_id, g.gap_start.hour, g.hours, g.note) for g in gaps.itertuples()}
    assert found == {(STORE, 0, 24.0, "no data in window"), (OFFICE, 20, 4.0, "ongoing"),
                     (B, 12, 3.0, "")}
    assert list(gaps["acp_id"]) == [STORE, OFFICE, B]  # longest first
    assert sh.find_gaps(history, min_gap=3.5 * HOUR)["acp_id"].tolist() == [STORE, OFFICE]
    cov = sh.coverage(history).set_index("acp_id")
    assert cov.loc[A, "coverage"] == 1.0 and cov.loc[STORE, "coverage"] == 0.0
    assert cov.loc[B, "buckets_with_data"] == 84 and cov.loc[B, "expected_buckets"] == 96
    assert cov.loc[B, "readings"] == 252 and pd.isna(cov.loc[STORE, "first"])
    assert cov.loc[OFFICE, "last"] == pd.Timestamp("2026-03-02 19:45")


def test_figures_carry_the_data(history) -> None:
    hourly = sh.resample(history, "co2")
    periods = sh.working_periods(history.start, history.end)
    fig = sensor_charts.room_series_figure(hourly, "CO₂", "CO₂ (ppm)", shade=periods,
                                           limit=1000)
    assert [t.name for t in fig.data] == ["lab", "office", sh.UNREGISTERED]
    assert len(fig.layout.shapes) == 2  # one working-hours band and the limit line
    assert list(fig.data[0].y)[9] == pytest.approx(900.0)
    table = sh.co2_working_hours(history)
    bars = sensor_charts.working_hours_bar_figure(table, limit=1000)
    assert list(bars.data[0].x) == list(table.index)
    gaps = sh.find_gaps(history)
    timeline = sensor_charts.gaps_figure(gaps, list(history.devices.acp_id),
                                         history.start_time, history.end_time)
    assert [y for y in timeline.data[0].y if y] == [STORE, STORE, OFFICE, OFFICE, B, B]
    assert list(timeline.layout.yaxis.categoryarray) == [STRANGER, STORE, OFFICE, B, A]
    profile = sensor_charts.daily_profile_figure(sh.daily_profile(history, "temperature"),
                                                 "T", "°C", working_hours=(8, 18))
    assert len(profile.data) == 3 and len(profile.data[0].x) == 24


def test_service_gives_the_same_history(lab, history) -> None:
    db, registry_file = lab
    env = {"HOSPITAL_TWIN_DB": str(db), "HOSPITAL_TWIN_SENSORS_REGISTRY": str(registry_file),
           "HOSPITAL_TWIN_SENSORS_RAW_RETENTION_DAYS": "100000",
           "HOSPITAL_TWIN_MQTT_HOST": "127.0.0.1",  # no broker there: HTTP only
           "HOSPITAL_TWIN_MQTT_PORT": str(free_port())}
    with ServiceProcess(env, log=db.parent / "service.log") as service:
        remote = sh.history_from_service(service.url, days=1)
    assert (remote.start, remote.end) == (history.start, history.end)
    assert remote.source == f"service {service.url}"
    pd.testing.assert_frame_equal(remote.devices, history.devices)
    pd.testing.assert_frame_equal(remote.readings, history.readings)


def test_missing_or_empty_sources_are_explained(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no sensor database"):
        sh.history_from_store(tmp_path / "nothing.db")
    assert not (tmp_path / "nothing.db").exists()
    open_store(tmp_path / "empty.db").dispose()
    with pytest.raises(ValueError, match="no sensor readings stored"):
        sh.history_from_store(tmp_path / "empty.db")
    empty = sh.history_from_store(tmp_path / "empty.db", MONDAY, MONDAY + HOUR)
    assert empty.readings.empty and len(sh.find_gaps(empty)) == len(load_registry().devices)
