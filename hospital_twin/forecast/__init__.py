"""Forecasts from the lab's state today (issue 14): dated replications from a snapshot."""

from hospital_twin.forecast.run import dated_config, forecast

__all__ = ["dated_config", "forecast"]
