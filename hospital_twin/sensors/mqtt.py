"""MQTT ingest: a paho-mqtt 2 client that subscribes to the configured topics and reconnects."""

from __future__ import annotations

import logging
import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from hospital_twin.sensors.ingest import Ingestor

log = logging.getLogger(__name__)


class MqttIngest:
    """Feeds every message on ``topics`` into an :class:`Ingestor`; reconnects by itself."""

    def __init__(self, ingestor: Ingestor, host: str, port: int, topics: list[str]) -> None:
        self.ingestor = ingestor
        self.host, self.port, self.topics = host, port, list(topics)
        self.connected = False
        self.connects = 0
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"hospital-twin-sensors-{uuid.uuid4().hex[:8]}"
        )
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)
        self.client.max_queued_messages_set(0)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    def _on_connect(self, client, _userdata, _flags, reason_code, _props) -> None:
        if reason_code.is_failure:
            log.warning("MQTT connect to %s:%s refused: %s", self.host, self.port, reason_code)
            return
        self.connected = True
        self.connects += 1
        client.subscribe([(topic, 0) for topic in self.topics])
        log.info("MQTT connected to %s:%s, subscribed to %s", self.host, self.port, self.topics)

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _props) -> None:
        self.connected = False
        log.warning("MQTT disconnected (%s); reconnecting", reason_code)

    def _on_message(self, _client, _userdata, message: mqtt.MQTTMessage) -> None:
        self.ingestor.enqueue_raw(message.payload, message.topic)

    def start(self) -> None:
        """Connect in the background (retrying until the broker answers) and start reading."""
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        """Disconnect and stop the network thread."""
        self.client.disconnect()
        self.client.loop_stop()
