"""Validation of a results JSON against the shipped JSON Schema (``results.schema.json``).

The schema fixes keys, nesting and types; :func:`validate_results` adds what JSON Schema
cannot say: every chart's series match its x axis and no number is NaN or infinite, so a
stored result always serialises as strict JSON and draws in the dashboards.
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

SCHEMA_FILE = "results.schema.json"
_CHARTS = ("tat_by_stage", "utilization_by_resource", "q_length_by_resource", "tat_histogram",
           "lab_tat_histogram", "overtime_by_resource", "mean_wip_by_stage")
_MULTI = ("wip_by_stage", "hourly_utilization_by_resource")


@cache
def load_schema() -> dict:
    """The results JSON Schema shipped in the package."""
    text = resources.files("hospital_twin.kpis").joinpath(SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


#: Scalar lists longer than this are type-checked in Python and only their head by the schema.
_THIN_AT = 16


def _is_number_or_none(v: Any) -> bool:
    return v is None or (type(v) in (int, float))


def _thin(value: Any) -> Any:
    """A copy for the schema check with long all-numeric lists cut to their first items.

    Exact for this schema: long lists are only constrained to hold numbers or null, which
    is checked here for every item, and cutting keeps them longer than any length bound.
    """
    if isinstance(value, dict):
        return {k: _thin(v) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) > _THIN_AT and all(_is_number_or_none(v) for v in value):
            return value[:_THIN_AT]
        return [_thin(v) for v in value]
    return value


def _non_finite(value: Any, path: str) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return path
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for k, v in items:
        found = _non_finite(v, f"{path}/{k}")
        if found:
            return found
    return None


def _chart_problem(name: str, chart: dict, multi: bool) -> str | None:
    n = len(chart["x"])
    if multi:
        if len(chart["y"]) != len(chart["labels"]):
            return f"{name}: {len(chart['y'])} series for {len(chart['labels'])} labels"
        series = {"y": chart["y"], "ymin": chart["ymin"], "ymax": chart["ymax"]}
        for key, rows in series.items():
            if rows is None:
                continue
            if len(rows) != len(chart["labels"]):
                return f"{name}.{key}: {len(rows)} series for {len(chart['labels'])} labels"
            for j, row in enumerate(rows):
                if len(row) != n:
                    return f"{name}.{key}[{j}] has {len(row)} values for {n} x values"
        return None
    for key in ("y", "ymin", "ymax"):
        if chart[key] is not None and len(chart[key]) != n:
            return f"{name}.{key} has {len(chart[key])} values for {n} x values"
    return None


def validate_results(results: dict) -> None:
    """Raise :class:`jsonschema.ValidationError` if ``results`` is not a valid results JSON."""
    jsonschema.validate(_thin(results), load_schema(), cls=jsonschema.Draft202012Validator)
    bad = _non_finite(results, "")
    if bad is not None:
        raise jsonschema.ValidationError(f"non-finite number at {bad or '/'}")
    charts = [(n, results[n], False) for n in _CHARTS] + [(n, results[n], True) for n in _MULTI]
    charts += [(f"resource_allocation/{k}", c, False)
               for k, c in results["resource_allocation"].items()]
    for name, chart, multi in charts:
        problem = _chart_problem(name, chart, multi)
        if problem:
            raise jsonschema.ValidationError(problem)
