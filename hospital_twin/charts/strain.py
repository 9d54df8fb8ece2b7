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


def stability_summary(results: dict) -> str | None:
    """One line for every verdict (None for older results): the plain-words warning when
    unstable or undecided, else the WIP trend that makes the lab stable, e.g. ``"Stable:
    work in progress changes by about +3 specimens a week (95% CI -5 to +11) over 11 whole
    weeks; turnaround figures can be read."``"""
    stab = results.get("stability")
    if not stab:
        return None
    message = plain_words(stab)
    if message:
        return message
    growth = stab.get("wip_growth_per_week") or {}
    mean, low, high = growth.get("mean") or 0.0, growth.get("min"), growth.get("max")
    ci = "" if low is None or high is None else f" (95% CI {low:+,.0f} to {high:+,.0f})"
    return (f"Stable: work in progress changes by about {mean:+,.0f} specimens a week{ci} "
            f"over {stab.get('weeks_used', 0)} whole weeks; turnaround figures can be read.")


def km_rows(results: dict) -> list[dict]:
    """Kaplan–Meier overall TAT per group (all, each pathway, each priority): specimens
    counted and still in the lab at the end (censored), median and 90th percentile (hours)
    and the 7-day share, each a mean with its 95 % CI bounds; empty without ``tat_km``."""
    km = results.get("tat_km")
    if not km:
        return []
    groups: list[tuple[str, str, dict]] = [("all", "All specimens", km.get("overall") or {})]
    for kind, key in (("pathway", "by_pathway"), ("priority", "by_priority")):
        for name, pair in (km.get(key) or {}).items():
            groups.append((kind, name, (pair or {}).get("overall") or {}))
    rows = []
    for kind, name, node in groups:
        row: dict[str, Any] = {"group": kind, "name": name}
        for col, est in (("specimens", node.get("n")), ("still_in_lab", node.get("censored")),
                         ("median_h", (node.get("percentiles") or {}).get("50")),
                         ("p90_h", (node.get("percentiles") or {}).get("90")),
                         ("within_7_days", (node.get("within") or {}).get("7"))):
            est = est if isinstance(est, dict) else {"mean": est}
            row[col] = est.get("mean")
            if col not in ("specimens", "still_in_lab"):
                row[f"{col}_low"], row[f"{col}_high"] = est.get("min"), est.get("max")
        rows.append(row)
    return rows
