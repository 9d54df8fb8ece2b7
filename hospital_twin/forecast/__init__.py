"""Forecasts from the lab's state today (issue 14): dated replications from a snapshot."""

from hospital_twin.forecast.run import dated_config, forecast
from hospital_twin.forecast.schema import validate_forecast

__all__ = ["dated_config", "forecast", "validate_forecast"]
