"""Alert rules: thresholds raise and clear with timestamps, stale devices, persistence."""

from __future__ import annotations

from hospital_twin.sensors.alerts import AlertEngine, list_alerts
from hospital_twin.sensors.db import open_store
from hospital_twin.sensors.messages import Reading
from hospital_twin.sensors.registry import load_registry
from hospital_twin.sensors.store import insert_batch

T0 = 1_790_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def test_thresholds_and_stale_devices(tmp_path) -> None:
    engine = open_store(tmp_path / "ht.db")
    registry = load_registry()
    clock = Clock()
    alerts = AlertEngine(engine, registry, stale_seconds=600, clock=clock)
    dev = "elsys-co2-058ae0"
    ok = {"co2": 600, "temperature": 21, "humidity": 45, "vdd": 3600}
    bad = {"co2": 1400, "temperature": 26.5, "humidity": 25, "vdd": 3200}
    assert alerts.on_readings([Reading(dev, T0, ok, received_ts=T0)]) == 0
    assert alerts.on_readings([Reading(dev, T0 + 60, bad, received_ts=T0 + 60)]) == 4
    assert alerts.on_readings([Reading(dev, T0 + 90, bad, received_ts=T0 + 90)]) == 0
    active = {a["key"]: a for a in list_alerts(engine, T0) if a["active"]}
    assert set(active) == {"co2", "temperature", "humidity", "vdd"}
    assert active["co2"]["raised_ts"] == T0 + 60 and active["co2"]["value"] == 1400
    assert active["co2"]["message"] == "co2 1400 ppm above 1000 ppm"
    assert active["vdd"]["message"] == "vdd 3200 mV below 3300 mV"
    cleared = {"co2": 700, "temperature": 26.5, "humidity": 45, "vdd": 3600}
    assert alerts.on_readings([Reading(dev, T0 + 120, cleared, received_ts=T0 + 120)]) == 3
    rows = {a["key"]: a for a in list_alerts(engine, T0)}
    assert rows["co2"]["cleared_ts"] == T0 + 120 and not rows["co2"]["active"]
    assert rows["temperature"]["active"]

    # stale: every registered device silent for > 600 s; one reading clears its alert
    clock.now = T0 + 700
    assert alerts.check_stale() == len(registry.devices) - 1  # dev reported at T0+120
    clock.now = T0 + 800
    assert alerts.check_stale() == 1
    stale = [a for a in list_alerts(engine, T0) if a["kind"] == "stale" and a["active"]]
    assert len(stale) == len(registry.devices)
    other = "enl-iaqc-3a1f02"
    alerts.on_readings([Reading(other, T0 + 810, {"co2_ppm": 500}, received_ts=T0 + 810)])
    row = next(a for a in list_alerts(engine, T0) if a["acp_id"] == other)
    assert row["kind"] == "stale" and row["cleared_ts"] == T0 + 810

    # a restarted service picks up active alerts and last-seen times from the database
    insert_batch(engine, [Reading(other, T0 + 810, {"co2_ppm": 500}, received_ts=T0 + 810)],
                 set(registry.devices))
    again = AlertEngine(engine, registry, stale_seconds=600, clock=clock)
    assert again.active == alerts.active
    clock.now = T0 + 1000
    assert again.check_stale() == 0  # 'other' was seen at T0+810 (from sensor_latest)
    engine.dispose()


def _alert_rows(engine) -> list[tuple]:
    rows = list_alerts(engine, 0)
    return sorted((a["acp_id"], a["key"], a["raised_ts"], a["value"], a["cleared_ts"],
                   a["message"]) for a in rows)


def test_batch_checks_give_the_same_alerts_as_every_reading(tmp_path) -> None:
    """The MQTT child sends only the checks that can change an alert (run starts); the
    alerts raised and cleared must be those of checking every reading, in one batch or
    spread over several."""
    from hospital_twin.sensors.batch import BatchBuilder, thresholds_of

    registry = load_registry()
    dev, other = "elsys-co2-058ae0", "enl-iaqc-3a1f02"
    co2 = [600, 1400, 1500, 700, 650, 1200, 1300, 1250, 800, 1100]  # flaps around 1000
    batch = []
    for i, value in enumerate(co2):
        batch.append(Reading(dev, T0 + i, {"co2": value, "temperature": 21}, received_ts=T0 + i))
        batch.append(Reading(other, T0 + i, {"co2_ppm": value + 200}, received_ts=T0 + i))
    per_reading = open_store(tmp_path / "a.db")
    expected = AlertEngine(per_reading, registry, 600).on_readings(batch)
    assert expected >= 8  # the series really raises and clears
    thresholds = thresholds_of(registry)
    for name, splits in [("one.db", [20]), ("parts.db", [3, 8, 9, 20])]:
        engine = open_store(tmp_path / name)
        engine_alerts = AlertEngine(engine, registry, 600)
        changes, start = 0, 0
        for end in splits:
            builder = BatchBuilder(thresholds)
            for r in batch[start:end]:
                builder.add(r)
            part = builder.take()
            assert part.checks is not None and len(part.checks) <= 2 * (end - start)
            changes += engine_alerts.on_readings(part)
            start = end
        assert changes == expected
        assert _alert_rows(engine) == _alert_rows(per_reading)
