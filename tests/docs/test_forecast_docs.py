"""The forecast page documents every calendar key, snapshot column and forecast JSON key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docs_helpers import page_text, require

from hospital_twin.config import default_config
from hospital_twin.config.calendar import Calendar
from hospital_twin.config.calendar_sheet import SECTIONS
from hospital_twin.forecast import forecast
from hospital_twin.model.output import STAGES
from hospital_twin.state.snapshot import OPTIONAL_COLUMNS, REQUIRED_COLUMNS


def test_forecast_page_names_every_key(build: Path | str) -> None:
    text = page_text(require(build) / "forecast.html")
    for key in Calendar.model_fields:
        assert key in text, key
    for section in SECTIONS:
        assert section in text, section
    for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS + STAGES:
        assert column in text, column
    result = forecast(default_config(), [], dt.datetime(2026, 12, 7), 1, 1)
    for key in result:
        assert key in text, key
    assert "forecast" in page_text(require(build) / "cli.html")
