"""Parsing messages: the live layout, TTN uplinks, and each kind of malformed message."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from hospital_twin.sensors.messages import MalformedMessage, live_message, parse_message

NOW = 1_790_000_000.0


def test_live_layout_with_string_timestamp() -> None:
    doc = {"acp_id": "elsys-co2-058ae0", "acp_ts": "1789999990.5",
           "payload": {"co2": 499, "temperature": 23.6},
           "gateway": {"gateway_id": "csn-pygate-d66a00", "gateway_ts": 1789999990.6}}
    r = parse_message(json.dumps(doc).encode(), "sensors/elsys-co2-058ae0", NOW)
    assert (r.acp_id, r.acp_ts, r.payload) == ("elsys-co2-058ae0", 1789999990.5,
                                               {"co2": 499, "temperature": 23.6})
    msg = live_message(r, {"x": 1.0, "y": 2.0, "floor": 1})
    assert msg["gateway"] == {"gateway_id": "csn-pygate-d66a00", "gateway_ts": 1789999990.6}
    assert msg["data_connector"] == {"data_connector_id": None, "data_connector_ts": None,
                                     "data_connector_dev_eui": None}
    assert msg["location"] == {"x": 1.0, "y": 2.0, "floor": 1}


def test_ttn_uplink_reading_comes_from_decoded_payload() -> None:
    doc = {"end_device_ids": {"device_id": "enl-iaqc-3a1f02", "dev_eui": "70B3D5AA",
                              "application_ids": {"application_id": "cambridge-net-3"}},
           "received_at": "2026-09-21T10:00:00Z",
           "uplink_message": {"decoded_payload": {"co2_ppm": 520, "batt_mv": 3600},
                              "rx_metadata": [{"gateway_ids": {"gateway_id": "csn-mtcdtip-005f06"},
                                               "time": "2026-09-21T09:59:59.5Z"}]}}
    r = parse_message(json.dumps(doc), "v3/cambridge-net-3/devices/enl-iaqc-3a1f02/up", NOW)
    assert r.acp_id == "enl-iaqc-3a1f02" and r.payload == {"co2_ppm": 520, "batt_mv": 3600}
    assert r.acp_ts == datetime(2026, 9, 21, 10, tzinfo=UTC).timestamp()
    assert r.gateway["gateway_id"] == "csn-mtcdtip-005f06"
    assert r.data_connector["data_connector_id"] == "cambridge-net-3"
    assert r.data_connector["data_connector_dev_eui"] == "70B3D5AA"


@pytest.mark.parametrize(
    ("raw", "topic", "reason"),
    [
        (b"{not json", "sensors/elsys-co2-058ae0", "bad_json"),
        (b"\xff\xfe", "sensors/elsys-co2-058ae0", "bad_json"),
        (b"[1, 2]", "sensors/elsys-co2-058ae0", "not_object"),
        (json.dumps({"acp_ts": NOW}), "sensors/elsys-co2-058ae0", "missing_field"),
        (json.dumps({"acp_id": "elsys-co2-058ae0", "payload": {"co2": 1}}), None,
         "missing_field"),
        (json.dumps({"acp_ts": NOW, "payload": {"co2": "499"}}), "sensors/elsys-co2-058ae0",
         "bad_value"),
        (json.dumps({"acp_ts": NOW, "payload": {"co2": True}}), "sensors/elsys-co2-058ae0",
         "bad_value"),
        (json.dumps({"acp_ts": "yesterday", "payload": {}}), "sensors/elsys-co2-058ae0",
         "bad_timestamp"),
        (json.dumps({"acp_ts": NOW, "payload": {}}), "sensors/not-a-device", "bad_id"),
        (json.dumps({"acp_id": "elsys-co2-058ae1", "acp_ts": NOW, "payload": {}}),
         "sensors/elsys-co2-058ae0", "id_mismatch"),
        (b"{" + b" " * 70_000 + b"}", "sensors/elsys-co2-058ae0", "too_large"),
        (json.dumps({"acp_ts": NOW, "payload": {f"k{i}": i for i in range(500)}}),
         "sensors/elsys-co2-058ae0", "too_large"),
        (json.dumps({"uplink_message": {}}), "v3/a/devices/elsys-co2-058ae0/up", "missing_field"),
    ],
)
def test_malformed_messages_have_a_reason(raw, topic, reason) -> None:
    with pytest.raises(MalformedMessage) as info:
        parse_message(raw, topic, NOW)
    assert info.value.reason == reason


def test_fast_path_keeps_the_full_checks() -> None:
    """Payload values outside the fast path (huge integers, non-finite floats from a dict,
    long keys) get the full check: accepted or refused exactly as before."""
    topic = "sensors/elsys-co2-058ae0"
    r = parse_message({"acp_ts": NOW, "payload": {"co2": 2**70, "t": 1.5}}, topic, NOW)
    assert r.payload == {"co2": 2**70, "t": 1.5}
    for payload in ({"co2": float("inf")}, {"co2": float("nan")}, {"k" * 65: 1}):
        with pytest.raises(MalformedMessage) as info:
            parse_message({"acp_ts": NOW, "payload": payload}, topic, NOW)
        assert info.value.reason == "bad_value"
    with pytest.raises(MalformedMessage) as info:
        parse_message({"acp_ts": float("nan"), "payload": {}}, topic, NOW)
    assert info.value.reason == "bad_timestamp"


def test_long_topics_are_not_cached() -> None:
    """The topic → device cache (bounded in entries) keeps only short topics, so senders
    of 64 KiB topic names cannot make it hold gigabytes."""
    from hospital_twin.sensors import messages

    long_topic = "x" * 10_000 + "/elsys-co2-058ae0"
    before = len(messages._TOPIC_IDS)
    assert messages.topic_device(long_topic) == "elsys-co2-058ae0"
    assert len(messages._TOPIC_IDS) == before and long_topic not in messages._TOPIC_IDS
    assert messages.topic_device("sensors/elsys-co2-058ae0") == "elsys-co2-058ae0"
    assert messages._TOPIC_IDS["sensors/elsys-co2-058ae0"] == "elsys-co2-058ae0"
