"""Fixtures of the model tests: the reference workbook as a configuration."""

from __future__ import annotations

import pytest

from hospital_twin.config.models import LabConfig


@pytest.fixture(scope="session")
def reference_config() -> LabConfig:
    """The reference workbook (cuh-config.xlsx) through the config package's reader."""
    from hospital_twin.config import default_config

    return default_config()
