"""Simulated readings: every device's exact keys, daily/occupancy patterns, drain, events."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hospital_twin.sensors.messages import parse_message
from hospital_twin.sensors.registry import load_registry
from hospital_twin.sensors.simulator import Simulator, SimulatorConfig, occupancy

TUESDAY_11 = datetime(2026, 11, 24, 11, tzinfo=UTC).timestamp()
TUESDAY_03 = datetime(2026, 11, 24, 3, tzinfo=UTC).timestamp()


def _payloads(sim: Simulator, t: float) -> dict[str, dict]:
    out = {}
    for topic, doc in sim.round(t):
        reading = parse_message(json.dumps(doc), topic, t)  # what the service will parse
        out[reading.acp_id] = reading.payload
    return out


def test_every_device_reports_exactly_its_type_keys() -> None:
    reg = load_registry()
    sim = Simulator(reg, SimulatorConfig(seed=3, dropout=0, event_rate=0, ttn_share=0.5))
    topics = {topic.split("/")[0] for topic, _ in sim.round(TUESDAY_11)}
    assert topics == {"sensors", "v3"}
    payloads = _payloads(sim, TUESDAY_11)
    assert set(payloads) == set(reg.devices)
    for acp_id, payload in payloads.items():
        assert set(payload) == {r.key for r in reg.get(acp_id).readings}, acp_id


def test_working_hours_raise_co2_and_the_day_cycles_temperature() -> None:
    reg = load_registry()
    sim = Simulator(reg, SimulatorConfig(seed=4, dropout=0, event_rate=0))
    day, night = _payloads(sim, TUESDAY_11), _payloads(sim, TUESDAY_03)
    assert occupancy(TUESDAY_11) > 0.8 and occupancy(TUESDAY_03) == 0
    co2 = [k for k in ("co2", "co2_ppm")]
    for acp_id in reg.devices:
        for key in co2:
            if key in day[acp_id]:
                assert day[acp_id][key] > night[acp_id][key] + 200
        if "temperature" in day[acp_id]:
            assert day[acp_id]["temperature"] > night[acp_id]["temperature"] + 0.5
            assert 18 <= night[acp_id]["temperature"] <= 24


def test_batteries_drain_and_events_and_dropouts_happen() -> None:
    reg = load_registry()
    sim = Simulator(reg, SimulatorConfig(seed=5, dropout=0.1, event_rate=0.05))
    first = dict(sim.states["elsys-co2-058ae0"].__dict__)
    counts, out_of_range = [], 0
    for k in range(200):
        payloads = _payloads(sim, TUESDAY_03 + 60 * k)
        counts.append(len(payloads))
        for acp_id, p in payloads.items():
            limits = {t.key: t for t in reg.get(acp_id).thresholds}
            out_of_range += any(limits[key].violated(v) for key, v in p.items() if key in limits)
    assert sim.states["elsys-co2-058ae0"].battery_mv < first["battery_mv"]
    assert min(counts) < len(reg.devices)  # dropouts
    assert 0.1 * len(reg.devices) * 200 * 0.05 < out_of_range < 0.5 * len(reg.devices) * 200
