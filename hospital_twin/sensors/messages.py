"""Readings in and out: parse MQTT/HTTP messages, build the live message layout.

Accepted inputs: the live layout (``{acp_id, acp_ts, payload, gateway?, data_connector?}``,
on ``sensors/<acp_id>``-style topics or ``POST /readings``) and The Things Network v3
uplinks (``v3/<app>/devices/<acp_id>/up``; the reading is ``uplink_message.decoded_payload``).
Anything else raises :class:`MalformedMessage` with a short machine-readable reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hospital_twin.sensors import fastjson
from hospital_twin.sensors.types import ACP_ID_RE

MAX_PAYLOAD_KEYS = 100


class MalformedMessage(ValueError):
    """A message that cannot become a reading; ``reason`` is the counter name."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


@dataclass
class Reading:
    """One validated reading."""

    acp_id: str
    acp_ts: float
    payload: dict[str, float]
    gateway: dict[str, Any] | None = None
    data_connector: dict[str, Any] | None = None
    received_ts: float = 0.0


#: Valid device ids and topics' device ids seen so far (bounded: ids are attacker-chosen).
_VALID_IDS: set[str] = set()
_TOPIC_IDS: dict[str, str | None] = {}
_CACHE_LIMIT = 100_000
_INT64 = 2**63
_TEXT = (bytes, str)
_loads = fastjson.loads


def _timestamp(value: Any, what: str) -> float:
    if type(value) is float and 0 < value < 4_102_444_800:  # the usual case (NaN fails)
        return value
    if isinstance(value, bool):
        raise MalformedMessage("bad_timestamp", f"{what} is a boolean")
    if isinstance(value, int | float):
        ts = float(value)
    elif isinstance(value, str):
        try:
            if "T" in value or "-" in value[1:]:  # ISO 8601 (TTN)
                ts = datetime.fromisoformat(value).timestamp()
            else:
                ts = float(value)  # older sources send acp_ts as a string
        except ValueError:
            raise MalformedMessage("bad_timestamp", f"{what} {value[:40]!r}") from None
    else:
        raise MalformedMessage("bad_timestamp", f"{what} is {type(value).__name__}")
    if not math.isfinite(ts) or not 0 < ts < 4_102_444_800:  # 1970 … 2100
        raise MalformedMessage("bad_timestamp", f"{what} {ts} out of range")
    return ts


def _payload(value: Any) -> dict[str, float]:
    """The payload itself when every value is a plain finite int/float under a short key
    (the usual case, one cheap pass); otherwise the full check, which names the fault."""
    if type(value) is dict and len(value) <= MAX_PAYLOAD_KEYS:
        for key, number in value.items():
            kind = type(number)
            # x - x == 0 only for finite floats; bool is not int by type; huge ints: full check
            if (kind is float and number - number == 0.0
                    or kind is int and -_INT64 <= number < _INT64) and len(key) <= 64:
                continue
            break
        else:
            return value
    return _checked_payload(value)


def _checked_payload(value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise MalformedMessage("missing_field", "payload must be an object")
    if len(value) > MAX_PAYLOAD_KEYS:
        raise MalformedMessage("too_large", f"payload has {len(value)} keys")
    out: dict[str, float] = {}
    for key, number in value.items():
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise MalformedMessage("bad_value", f"payload[{key[:40]!r}] is not a number")
        if not math.isfinite(number) or len(key) > 64:
            raise MalformedMessage("bad_value", f"payload[{key[:40]!r}] is not finite")
        out[key] = number
    return out


def _acp_id(value: Any) -> str:
    if type(value) is str and value in _VALID_IDS:
        return value
    if not isinstance(value, str) or not ACP_ID_RE.match(value):
        raise MalformedMessage("bad_id", f"acp_id {str(value)[:60]!r} is not vendor-model-hex6")
    if len(_VALID_IDS) < _CACHE_LIMIT:
        _VALID_IDS.add(value)
    return value


def topic_device(topic: str) -> str | None:
    """The device id a topic names (``sensors/<id>``, ``v3/<app>/devices/<id>/up``), if any."""
    try:
        return _TOPIC_IDS[topic]
    except KeyError:
        pass
    device = _topic_device(topic)
    if len(_TOPIC_IDS) < _CACHE_LIMIT and len(topic) <= 128:  # topics may be 64 KiB long
        _TOPIC_IDS[topic] = device
    return device


def _topic_device(topic: str) -> str | None:
    parts = topic.split("/")
    if len(parts) == 5 and parts[0] == "v3" and parts[2] == "devices" and parts[4] == "up":
        return parts[3]
    return parts[-1] if len(parts) >= 2 else None


def _ttn(doc: dict[str, Any], topic_id: str | None) -> tuple[str, dict[str, Any]]:
    up = doc.get("uplink_message")
    if not isinstance(up, dict) or "decoded_payload" not in up:
        raise MalformedMessage("missing_field", "TTN uplink without uplink_message.decoded_payload")
    ids = doc.get("end_device_ids") or {}
    acp_id = topic_id or ids.get("device_id")
    received = up.get("received_at") or doc.get("received_at")
    if received is None:
        raise MalformedMessage("missing_field", "TTN uplink without received_at")
    meta = (up.get("rx_metadata") or [{}])[0] or {}
    gateway = {
        "gateway_id": (meta.get("gateway_ids") or {}).get("gateway_id"),
        "gateway_ts": _timestamp(meta["time"], "rx time") if meta.get("time") else None,
    }
    app = (ids.get("application_ids") or {}).get("application_id")
    received_ts = _timestamp(received, "received_at")
    connector = {
        "data_connector_id": app,
        "data_connector_ts": received_ts,
        "data_connector_dev_eui": ids.get("dev_eui"),
    }
    return acp_id, {
        "acp_ts": received_ts,
        "payload": up["decoded_payload"],
        "gateway": gateway,
        "data_connector": connector,
    }


def parse_message(
    raw: bytes | str | dict[str, Any], topic: str | None, now: float, max_bytes: int = 65536
) -> Reading:
    """Validate one message from ``topic`` (None for HTTP) into a :class:`Reading`."""
    if isinstance(raw, _TEXT):
        if len(raw) > max_bytes:
            raise MalformedMessage("too_large", f"{len(raw)} bytes > {max_bytes}")
        try:
            doc = _loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedMessage("bad_json", str(exc)[:80]) from None
    else:
        doc = raw
    if type(doc) is not dict and not isinstance(doc, dict):
        raise MalformedMessage("not_object", f"message is a JSON {type(doc).__name__}")
    topic_id = (_TOPIC_IDS.get(topic) or topic_device(topic)) if topic else None
    if "uplink_message" in doc:
        acp_id, doc = _ttn(doc, topic_id)
    else:
        acp_id = doc.get("acp_id", topic_id)
        if topic_id and acp_id != topic_id:
            raise MalformedMessage("id_mismatch", f"topic names {topic_id}, body {acp_id}")
    if "acp_ts" not in doc:
        raise MalformedMessage("missing_field", "no acp_ts")
    if "payload" not in doc:
        raise MalformedMessage("missing_field", "no payload")
    if acp_id is None:
        raise MalformedMessage("missing_field", "no acp_id")
    gateway, connector = doc.get("gateway"), doc.get("data_connector")
    return Reading(
        _acp_id(acp_id), _timestamp(doc["acp_ts"], "acp_ts"), _payload(doc["payload"]),
        gateway if type(gateway) is dict or isinstance(gateway, dict) else None,
        connector if type(connector) is dict or isinstance(connector, dict) else None,
        now,
    )


def live_message(reading: Reading, location: dict[str, Any] | None) -> dict[str, Any]:
    """The reading in the earlier server's live layout, with the device's real location."""
    gateway = reading.gateway or {}
    connector = reading.data_connector or {}
    return {
        "acp_id": reading.acp_id,
        "acp_ts": reading.acp_ts,
        "payload": reading.payload,
        "gateway": {
            "gateway_id": gateway.get("gateway_id"),
            "gateway_ts": gateway.get("gateway_ts"),
        },
        "data_connector": {
            "data_connector_id": connector.get("data_connector_id"),
            "data_connector_ts": connector.get("data_connector_ts"),
            "data_connector_dev_eui": connector.get("data_connector_dev_eui"),
        },
        "location": location,
    }
