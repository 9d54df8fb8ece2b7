"""docs/sensors.rst stays in step with the code: device types, settings, API paths."""

from __future__ import annotations

from pathlib import Path

from hospital_twin.sensors.api import create_app
from hospital_twin.sensors.types import DEVICE_TYPES
from hospital_twin.settings import Settings

PAGE = Path(__file__).resolve().parents[2] / "docs" / "sensors.rst"
SENSOR_FIELDS = [f for f in Settings.model_fields if f.startswith(("mqtt_", "sensors_"))]


def test_page_is_in_the_toctree() -> None:
    index = (PAGE.parent / "index.rst").read_text(encoding="utf-8")
    assert "\n   sensors\n" in index


def test_page_names_every_device_type_setting_and_path(tmp_path, monkeypatch) -> None:
    text = PAGE.read_text(encoding="utf-8")
    for prefix in DEVICE_TYPES:
        assert f"``{prefix}``" in text, prefix
    for field in SENSOR_FIELDS:
        assert f"``HOSPITAL_TWIN_{field.upper()}``" in text, field
    monkeypatch.setenv("HOSPITAL_TWIN_DB", str(tmp_path / "docs.db"))
    app = create_app(mqtt_enabled=False)
    paths = {r.path.rstrip("/") for r in app.routes if not r.path.startswith(("/docs",
                                                                               "/openapi",
                                                                               "/redoc"))}
    for path in paths - {""}:
        shown = path.replace("{acp_ids}", "{id,id,…}").replace("{acp_id}", "{id}")
        assert f"{shown}" in text, path
