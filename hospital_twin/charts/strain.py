"""What a lab manager must read first when the lab is under strain: the stability verdict in
plain words and the censoring-free (Kaplan–Meier) turnaround cards.

Shared by the Results and Compare tabs, the batch report and the API, so they all say the
same thing. See ``docs/results.rst`` for the rules behind ``stability`` and ``tat_km``.
"""

from __future__ import annotations

from typing import Any

from hospital_twin.kpis.stability import plain_words


def stability_verdict(results: dict) -> str | None:
    """``"stable"``, ``"unstable"``, ``"too short to tell"`` or None (older results)."""
    return (results.get("stability") or {}).get("verdict")


def stability_message(results: dict) -> str | None:
    """The plain-words warning an unstable or undecided scenario opens with (None when
    stable or for older results without ``stability``)."""
    stab = results.get("stability")
    return plain_words(stab) if stab else None


def km_cards(results: dict) -> list[dict]:
    """Kaplan–Meier median and 90th-percentile overall TAT and median lab TAT (hours, 95 %
    CI); empty for results without ``tat_km``."""
    km = results.get("tat_km")
    if not km:
        return []
    cards = []
    for group, q, key, label in (
            ("overall", "50", "km_overall_median", "Median turnaround, all specimens"),
            ("overall", "90", "km_overall_p90", "90% of specimens reported within"),
            ("lab", "50", "km_lab_median", "Median lab turnaround, all specimens")):
        node: dict[str, Any] = (km.get(group) or {}).get("percentiles", {}).get(q) or {}
        mean = node.get("mean")
        cards.append({"key": key, "label": label, "mean": mean, "low": node.get("min"),
                      "high": node.get("max"),
                      "mean_days": None if mean is None else mean / 24})
    return cards
