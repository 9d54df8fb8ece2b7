"""Headline numbers for KPI cards: mean TATs with CIs, the RCPath target verdicts and how
many specimens the run finished.

The Royal College of Pathologists (RCPath) targets say what share of specimens should be
reported within 7, 10, 12 and 21 days (80, 90, 95, 95 %) and what share should leave the
lab within 3 days (80 %). A card is *on target* when the mean share meets the target.

TATs and shares count only the specimens reported before the run ended (spec §8), so a run
too short for most specimens to finish describes the fast ones and flatters the lab:
:func:`completion` says how many finished and warns when too few did.
"""

from __future__ import annotations

import math
from typing import Any

#: RCPath targets: (results key, days, target share, what it measures).
RCPATH_TARGETS: tuple[tuple[str, int, float, str], ...] = (
    ("progress", 7, 0.80, "Reported within 7 days"),
    ("progress", 10, 0.90, "Reported within 10 days"),
    ("progress", 12, 0.95, "Reported within 12 days"),
    ("progress", 21, 0.95, "Reported within 21 days"),
    ("lab_progress", 3, 0.80, "Lab work done within 3 days"),
)


def _get(tree: Any, key: str) -> float | None:
    if not isinstance(tree, dict):
        return None
    value = tree.get(key)
    return None if value is None else float(value)


def tat_cards(results: dict) -> list[dict]:
    """Overall and lab TAT: mean hours and days with 95 % CI (None bounds with one rep)."""
    cards = []
    for key, label in (("overall_tat", "Overall turnaround (arrival to report)"),
                       ("lab_tat", "Lab turnaround (arrival to QC done)")):
        mean, low, high = results.get(key), results.get(f"{key}_min"), results.get(f"{key}_max")
        cards.append({
            "key": key, "label": label, "unit": "hours", "mean": mean, "low": low, "high": high,
            "mean_days": None if mean is None else mean / 24,
        })
    return cards


#: Verdict shown instead of "on target" when work piles up (results ``stability``).
NOT_DEPENDABLE = "not dependable: work piles up"


def _km_share(results: dict, key: str, days: int) -> tuple[float | None, ...]:
    """Mean, low and high of a Kaplan–Meier "within d days" share (``tat_km``)."""
    group = "lab" if key == "lab_progress" else "overall"
    node = (((results.get("tat_km") or {}).get(group) or {}).get("within") or {}).get(str(days))
    node = node or {}
    return node.get("mean"), node.get("min"), node.get("max")


def rcpath_verdicts(results: dict, *, cohort: bool = False, km: bool = False) -> list[dict]:
    """One dict per RCPath target: share (mean, CI), target and an on/under-target verdict.

    ``cohort=True`` uses the censoring-free cohort shares (spec 11.C19) instead of the
    shares among completed specimens, which flatter short runs; ``km=True`` the
    Kaplan–Meier shares (``tat_km``, every specimen, the unfinished ones censored). When the
    scenario is unstable (``stability``) no share is a pass: the verdict is
    :data:`NOT_DEPENDABLE` and ``on_target`` None.
    """
    unstable = (results.get("stability") or {}).get("verdict") == "unstable"
    rows = []
    for key, days, target, label in RCPATH_TARGETS:
        source = "tat_km" if km else f"{key}_cohort" if cohort else key
        if km:
            share, low, high = _km_share(results, key, days)
        else:
            share = _get(results.get(source), str(days))
            low = _get(results.get(f"{source}_min"), str(days))
            high = _get(results.get(f"{source}_max"), str(days))
        if share is None:
            verdict, on_target = "no data", None
        elif unstable:
            verdict, on_target = NOT_DEPENDABLE, None
        else:
            on_target = share >= target
            verdict = "on target" if on_target else "under target"
        rows.append({
            "measure": label, "key": source, "days": days, "share": share, "low": low,
            "high": high, "target": target, "on_target": on_target, "verdict": verdict,
        })
    return rows


#: Below this share of arrived specimens reported within the run, TATs are not dependable.
DEPENDABLE_SHARE = 0.8


def _mean(node: Any) -> float | None:
    """A count's mean across replications (``{"mean", "min", "max"}`` or a plain number)."""
    value = node.get("mean") if isinstance(node, dict) else node
    return None if value is None else float(value)


def completion(results: dict) -> dict | None:
    """Specimens that arrived after the warm-up: mean counts arrived, reported within the run
    and still in progress at its end, the reported share, and a ``caution`` (plain text,
    or None) when fewer than :data:`DEPENDABLE_SHARE` were reported. None when the results
    carry no specimen counts (older results)."""
    block = (results.get("specimens") or {}).get("after_warmup") or {}
    arrived, completed = _mean(block.get("arrived")), _mean(block.get("completed"))
    if arrived is None or completed is None:
        return None
    in_progress = _mean(block.get("in_progress"))
    share = completed / arrived if arrived > 0 else None
    # whole percent, rounded down so that a share under the bar never reads as reaching it
    percent = None if share is None else math.floor(100 * share)
    caution = None
    if share is not None and share < DEPENDABLE_SHARE:
        caution = (f"Only {percent}% of the specimens that arrived were reported "
                   "before the run ended, so the turnaround times and target shares describe "
                   "the faster ones and flatter the lab. Run it longer (several weeks, with a "
                   "warm-up) for dependable figures.")
    return {"arrived": arrived, "completed": completed,
            "in_progress": arrived - completed if in_progress is None else in_progress,
            "share": share, "percent": percent, "caution": caution}


def completion_text(results: dict) -> str | None:
    """One line, e.g. ``"69 of 641 specimens (11%) reported within the run; 572 still in
    progress at its end (means per replication)"``; None without counts."""
    done = completion(results)
    if done is None:
        return None
    share = "" if done["percent"] is None else f" ({done['percent']}%)"
    return (f"{done['completed']:,.0f} of {done['arrived']:,.0f} specimens{share} reported "
            f"within the run; {done['in_progress']:,.0f} still in progress at its end "
            "(means per replication)")


def _percent(share: float, target: float) -> str:
    """One decimal, or more when rounding would hide that a share misses its target."""
    for decimals in (1, 2, 3, 4):
        text = f"{100 * share:.{decimals}f}"
        if (share >= target) == (float(text) >= 100 * target):
            return text
    return text


def format_share(row: dict) -> str:
    """A card's text, e.g. ``"96.1 % (95 % CI 94.0–98.2) vs 80 % target: on target"``."""
    if row["share"] is None:
        return f"{row['measure']}: no completed specimens"
    ci = ""
    if row["low"] is not None and row["high"] is not None:
        ci = f" (95% CI {100 * row['low']:.1f}–{100 * row['high']:.1f})"
    return (f"{row['measure']}: {_percent(row['share'], row['target'])}%{ci} vs "
            f"{100 * row['target']:.0f}% target: {row['verdict']}")
