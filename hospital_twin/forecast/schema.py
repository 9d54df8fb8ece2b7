"""Validation of a forecast JSON against the shipped JSON Schema (``forecast.schema.json``).

The schema fixes keys, nesting and types; :func:`validate_forecast` adds that every per-date
series has one value per date and that the band holds ``min <= mean <= max``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import jsonschema

SCHEMA_FILE = "forecast.schema.json"


@cache
def load_forecast_schema() -> dict:
    """The forecast JSON Schema shipped in the package."""
    text = resources.files("hospital_twin.forecast").joinpath(SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


def _bands(forecast: dict) -> dict[str, dict]:
    bands = {k: forecast[k] for k in ("wip_total", "reports", "share_within_7_days")}
    bands |= {f"wip_by_stage.{s}": b for s, b in forecast["wip_by_stage"].items()}
    return bands


def validate_forecast(forecast: dict) -> None:
    """Raise ``ValueError`` naming the first fault of ``forecast``."""
    try:
        jsonschema.validate(forecast, load_forecast_schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
        raise ValueError(f"forecast JSON: {where}: {exc.message}") from exc
    n = len(forecast["dates"])
    if forecast["days"] != n or len(forecast["steady_wip"]) != n:
        raise ValueError(f"forecast JSON: days/steady_wip do not match the {n} dates")
    for name, band in _bands(forecast).items():
        for key in ("mean", "min", "max"):
            if len(band[key]) != n:
                raise ValueError(f"forecast JSON: {name}.{key} has {len(band[key])} values "
                                 f"for {n} dates")
        for i, (low, mean, high) in enumerate(zip(band["min"], band["mean"], band["max"],
                                                  strict=True)):
            if mean is not None and not low - 1e-9 <= mean <= high + 1e-9:
                raise ValueError(f"forecast JSON: {name} on {forecast['dates'][i]}: "
                                 f"expected min <= mean <= max, got {low}, {mean}, {high}")
