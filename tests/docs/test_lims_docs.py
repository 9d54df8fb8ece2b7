"""The LIMS event-log page documents every column the reader and the exporter use."""

from __future__ import annotations

from pathlib import Path

from docs_helpers import page_text, require

from hospital_twin.lims import COLUMNS


def test_lims_page_names_every_column(build: Path | str) -> None:
    text = page_text(require(build) / "lims.html")
    for column in COLUMNS:
        assert column in text, column
    assert "--event-log" in text and "replication 0" in text
    assert "hospital-twin calibrate" in text and "calibrated-arrivals.csv" in text
    assert "hospital-twin validate" in text and "StartState" in text and "--warmup-weeks" in text
