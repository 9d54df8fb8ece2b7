"""The ingest child's own MQTT subscriber against the real Mosquitto: messages of every QoS
and length encoding arrive intact and in order, an oversized one is skipped (reported
without its payload) and the next one still arrives, and pings keep a connection with a
one-second keepalive open."""

from __future__ import annotations

import time
import uuid

import pytest
from sensor_helpers import Publisher

from hospital_twin.sensors.wire import MqttError, Subscriber


@pytest.mark.parametrize("qos", [0, 1, 2])
def test_messages_arrive_intact_and_oversized_ones_are_skipped(broker, qos) -> None:
    base = f"wiretest/{uuid.uuid4().hex[:8]}"
    sub = Subscriber(broker.host, broker.port, [base + "/#"], "wire-test", keepalive=1,
                     max_packet=100_000, qos=qos)
    sub.connect()
    pub = Publisher(broker)
    sent = [(f"{base}/{i}", bytes([65 + i]) * size)
            for i, size in enumerate((0, 1, 127, 128, 300, 20_000, 70_000))]
    try:
        for topic, payload in sent[:4]:
            pub.client.publish(topic, payload, qos=qos).wait_for_publish(5)
        pub.client.publish(base + "/big", b"x" * 300_000, qos=qos).wait_for_publish(5)
        for topic, payload in sent[4:]:
            pub.client.publish(topic, payload, qos=qos).wait_for_publish(5)
        got: list = []
        deadline = time.monotonic() + 2.5  # past 1.5 × keepalive: pings must keep it open
        while time.monotonic() < deadline:
            got += sub.receive(0.1)
        assert got == [*sent[:4], (base + "/big", None), *sent[4:]]
        pub.client.publish(base + "/after", b"{}", qos=qos).wait_for_publish(5)
        deadline = time.monotonic() + 2
        while not got[len(sent) + 1:] and time.monotonic() < deadline:
            got += sub.receive(0.1)
        assert got[len(sent) + 1:] == [(base + "/after", b"{}")]
    finally:
        pub.close()
        sub.close()


def test_refused_subscription_is_an_error(broker) -> None:
    sub = Subscriber(broker.host, broker.port, ["bad/#/topic"], "wire-test-bad")
    with pytest.raises(MqttError):
        sub.connect(timeout=5)
    assert sub.sock is None


def test_retained_messages_come_out_at_once(broker) -> None:
    """Retained messages come right behind the SUBACK (possibly in the same read as it):
    they come out at once, not when the next packet happens to arrive."""
    topic = f"wiretest/{uuid.uuid4().hex[:8]}/retained"
    pub = Publisher(broker)
    pub.client.publish(topic, b"kept", qos=1, retain=True).wait_for_publish(5)
    sub = Subscriber(broker.host, broker.port, [topic], "wire-test-retained", keepalive=30)
    try:
        sub.connect()
        got: list = []
        deadline = time.monotonic() + 1.0
        while not got and time.monotonic() < deadline:
            got += sub.receive(0.1)
        assert got == [(topic, b"kept")]
    finally:
        pub.client.publish(topic, b"", qos=1, retain=True).wait_for_publish(5)  # clear it
        pub.close()
        sub.close()
