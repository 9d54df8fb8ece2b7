"""Sensor service: device registry, MQTT/HTTP ingest, storage, alerts, API, simulator."""
