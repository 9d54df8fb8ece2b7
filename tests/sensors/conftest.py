"""Shared fixtures: a real Mosquitto broker and the real sensor service (subprocess)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sensor_helpers import Publisher, _get_json, service_env, wait_until

from hospital_twin.sensors.process import ServiceProcess
from hospital_twin.services.mosquitto import Mosquitto


@pytest.fixture(scope="session")
def broker() -> Iterator[Mosquitto]:
    """A private Mosquitto on a free port (fails with an install hint when missing)."""
    with Mosquitto() as running:
        yield running


@pytest.fixture(scope="session")
def service(broker: Mosquitto, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """The real sensor service reading from ``broker``, with its own SQLite file."""
    tmp = tmp_path_factory.mktemp("sensor-service")
    proc = ServiceProcess(service_env(tmp / "ht.db", broker), log=tmp / "service.log")
    proc.db = tmp / "ht.db"  # type: ignore[attr-defined]
    with proc:
        wait_until(lambda: _get_json(proc.url + "/")["mqtt_connected"], 10, 0.1)
        yield proc


@pytest.fixture(scope="session")
def publisher(broker: Mosquitto) -> Iterator[Publisher]:
    """Publishes test messages to the broker."""
    pub = Publisher(broker)
    yield pub
    pub.close()


