"""The running sensor service's parts, wired together: store, registry, ingest, MQTT, hub."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine

from hospital_twin.sensors.db import open_store
from hospital_twin.sensors.hub import Hub
from hospital_twin.sensors.ingest import Ingestor
from hospital_twin.sensors.mqtt import MqttIngest
from hospital_twin.sensors.registry import Registry, load_registry
from hospital_twin.settings import Settings


@dataclass
class SensorService:
    """Everything the API needs; :meth:`start`/:meth:`stop` run in the app's lifespan."""

    settings: Settings
    engine: Engine
    registry: Registry
    ingestor: Ingestor
    hub: Hub
    mqtt: MqttIngest | None
    started: float = field(default_factory=time.time)

    @classmethod
    def from_settings(cls, settings: Settings, mqtt_enabled: bool = True) -> SensorService:
        """Build the service from settings (nothing runs until :meth:`start`)."""
        engine = open_store(settings.sensors_db_path)
        registry = load_registry(settings.sensors_registry or None)
        ingestor = Ingestor(
            engine,
            registry,
            stale_seconds=settings.sensors_stale_seconds,
            max_bytes=settings.sensors_max_message_bytes,
            raw_retention_days=settings.sensors_raw_retention_days,
            rollup_retention_days=settings.sensors_rollup_retention_days,
        )
        hub = Hub()
        ingestor.listeners.append(hub.publish)
        ingestor.live_wanted = hub.wants
        mqtt = (
            MqttIngest(ingestor, settings.mqtt_host, settings.mqtt_port, settings.mqtt_topics)
            if mqtt_enabled
            else None
        )
        return cls(settings, engine, registry, ingestor, hub, mqtt)

    def start(self) -> None:
        """Bind the hub to the running loop, start the writer and the MQTT client."""
        self.hub.bind(asyncio.get_running_loop())
        self.ingestor.start()
        if self.mqtt:
            self.mqtt.start()

    def stop(self) -> None:
        """Stop MQTT, flush the writer, close the database."""
        if self.mqtt:
            self.mqtt.stop()
        self.ingestor.stop()
        self.engine.dispose()
