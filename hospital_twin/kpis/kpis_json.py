"""One replication's KPIs as JSON text: what a replication job hands in for the merge.

The text keeps every float exactly (``repr`` round trip, NaN and infinities included), so
results merged from stored KPIs equal results built in one process. Numpy arrays become
lists, which the aggregation reads the same way.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    raise TypeError(f"cannot store {type(value).__name__} in replication KPIs")


def kpis_to_json(kpis: dict[str, Any]) -> str:
    """JSON text of :func:`~hospital_twin.kpis.replication_kpis` output (floats exact)."""
    return json.dumps(kpis, default=_plain, allow_nan=True)


def kpis_from_json(text: str) -> dict[str, Any]:
    """The KPIs dict back from :func:`kpis_to_json` text."""
    return json.loads(text)
