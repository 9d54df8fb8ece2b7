"""Results of a multi-scenario analysis, in the seed backend's shapes (spec 8.2) plus
95 % bands and paired differences of every scenario against the first (common random
numbers make these differences far tighter than the scenarios' own bands)."""

from __future__ import annotations

from typing import Any

from hospital_twin.kpis import compare_results


def _at(chart: dict[str, Any], key: str, index: int | None) -> Any:
    values = chart.get(key)
    return None if values is None or index is None else values[index]


def _index(labels: list[Any], name: str) -> int | None:
    return labels.index(name) if name in labels else None


def multi_results(status: dict[str, Any], results: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The ``/multi/{id}/results`` body from the analysis status and each scenario's results."""
    ids = status["scenario_ids"]
    labels = [str(i) for i in ids]
    ordered = [results[i] for i in ids]
    first = ordered[0]
    resources = list(first["utilization_by_resource"]["x"])
    hours = first["hourly_utilization_by_resource"]["x"]

    def bars(pick) -> dict[str, Any]:
        return {"x": labels, "y": [pick(r, "y") for r in ordered],
                "ymin": [pick(r, "ymin") for r in ordered],
                "ymax": [pick(r, "ymax") for r in ordered]}

    mean_tat = bars(lambda r, k: r["overall_tat" if k == "y" else f"overall_tat_{k[1:]}"])
    mean_utilisation = {}
    hourlies = {}
    for name in resources:
        def util(r: dict, key: str, name: str = name) -> Any:
            chart = r["utilization_by_resource"]
            return _at(chart, key, _index(chart["x"], name))

        def hourly(r: dict, key: str, name: str = name) -> Any:
            chart = r["hourly_utilization_by_resource"]
            return _at(chart, key, _index(chart["labels"], name))

        mean_utilisation[name] = bars(util)
        hourlies[name] = {"x": hours, "labels": labels,
                          "y": [hourly(r, "y") for r in ordered],
                          "ymin": [hourly(r, "ymin") for r in ordered],
                          "ymax": [hourly(r, "ymax") for r in ordered]}
    return {
        "created": status["created"],
        "completed": status["completed"],
        "scenario_ids": ids,
        "stability": {label: (r.get("stability") or {}).get("message")
                      for label, r in zip(labels, ordered, strict=True)},
        "mean_tat": mean_tat,
        "mean_utilisation": mean_utilisation,
        "utilisation_hourlies": hourlies,
        "paired_differences": {
            "base_scenario_id": ids[0],
            "differences": {str(i): compare_results(first, r)
                            for i, r in zip(ids[1:], ordered[1:], strict=True)},
        },
    }
