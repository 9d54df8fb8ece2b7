"""KPI card data: TATs with CIs and RCPath verdicts taken from the results dict."""

from __future__ import annotations

import copy

import pytest

from hospital_twin.charts import (
    RCPATH_TARGETS,
    format_share,
    rcpath_verdicts,
    stability_verdict,
    tat_cards,
)


def test_tat_cards_carry_mean_and_ci(results: dict) -> None:
    overall, lab = tat_cards(results)
    assert (overall["mean"], overall["low"], overall["high"]) == (
        results["overall_tat"], results["overall_tat_min"], results["overall_tat_max"])
    assert (lab["mean"], lab["low"], lab["high"]) == (
        results["lab_tat"], results["lab_tat_min"], results["lab_tat_max"])
    assert overall["mean_days"] == pytest.approx(results["overall_tat"] / 24)
    assert overall["unit"] == "hours"


def test_rcpath_targets_are_the_colleges() -> None:
    assert [(k, d, t) for k, d, t, _ in RCPATH_TARGETS] == [
        ("progress", 7, 0.80), ("progress", 10, 0.90), ("progress", 12, 0.95),
        ("progress", 21, 0.95), ("lab_progress", 3, 0.80)]


def test_verdicts_use_the_results_shares(results: dict) -> None:
    rows = rcpath_verdicts(results)
    assert [r["days"] for r in rows] == [7, 10, 12, 21, 3]
    for row in rows:
        key = "lab_progress" if row["days"] == 3 else "progress"
        d = str(row["days"])
        assert row["share"] == results[key][d]
        assert (row["low"], row["high"]) == (results[f"{key}_min"][d], results[f"{key}_max"][d])
        assert row["on_target"] == (row["share"] >= row["target"])
        assert row["verdict"] == ("on target" if row["on_target"] else "under target")


def test_verdict_flips_at_the_target(results: dict) -> None:
    edited = copy.deepcopy(results)
    edited["progress"]["7"] = 0.80
    edited["progress"]["10"] = 0.8999
    edited["lab_progress"]["3"] = None
    rows = {r["days"]: r for r in rcpath_verdicts(edited)}
    assert rows[7]["verdict"] == "on target"
    assert rows[10]["verdict"] == "under target" and rows[10]["on_target"] is False
    assert rows[3]["verdict"] == "no data" and rows[3]["on_target"] is None
    assert format_share(rows[3]).endswith("no completed specimens")
    assert "89.99%" in format_share(rows[10]) and "under target" in format_share(rows[10])


def test_cohort_verdicts_read_the_cohort_shares(results: dict) -> None:
    rows = rcpath_verdicts(results, cohort=True)
    assert rows[0]["key"] == "progress_cohort"
    assert rows[0]["share"] == results["progress_cohort"]["7"]
    assert rows[-1]["share"] == results["lab_progress_cohort"]["3"]


def test_completion_counts_the_specimens_of_the_run(results: dict) -> None:
    from hospital_twin.charts import completion, completion_text

    block = results["specimens"]["after_warmup"]
    done = completion(results)
    assert done["arrived"] == block["arrived"]["mean"] > 0
    assert done["completed"] == block["completed"]["mean"]
    assert done["in_progress"] == block["in_progress"]["mean"]
    assert done["share"] == block["completed"]["mean"] / block["arrived"]["mean"]
    text = completion_text(results)
    assert f"{done['completed']:,.0f} of {done['arrived']:,.0f} specimens" in text
    assert f"{done['in_progress']:,.0f} still in progress" in text


def test_completion_cautions_when_too_few_finish(results: dict) -> None:
    import copy

    from hospital_twin.charts import completion
    from hospital_twin.charts.kpi_cards import DEPENDABLE_SHARE

    edited = copy.deepcopy(results)
    block = edited["specimens"]["after_warmup"]
    block["arrived"]["mean"] = 1000.0
    block["completed"]["mean"] = 1000.0 * DEPENDABLE_SHARE - 1
    caution = completion(edited)["caution"]
    assert caution.startswith("Only 79% of the specimens")  # never rounded up to the bar
    assert "Run it longer" in caution
    block["completed"]["mean"] = 1000.0 * DEPENDABLE_SHARE
    assert completion(edited)["caution"] is None
    del edited["specimens"]
    assert completion(edited) is None


def test_unstable_results_open_with_the_warning_and_show_no_pass(results: dict) -> None:
    from hospital_twin.charts import km_cards, stability_message
    from hospital_twin.charts.kpi_cards import NOT_DEPENDABLE
    from hospital_twin.dashboards.simulation.results_tab import cards_html

    edited = copy.deepcopy(results)
    edited["stability"] = {"verdict": "unstable", "weeks_used": 8,
                           "wip_growth_per_week": {"mean": 212.4, "min": 190.0, "max": 230.0}}
    message = stability_message(edited)
    assert message.startswith("Unstable: work piles up by about 212 specimens a week; "
                              "turnaround figures depend on run length.")
    for km in (False, True):
        rows = rcpath_verdicts(edited, km=km)
        assert all(r["on_target"] is None for r in rows)
        assert all(r["verdict"] in (NOT_DEPENDABLE, "no data") for r in rows)
    html = cards_html(edited)
    assert html.index("work piles up by about 212") < html.index("ht-card")
    assert "on target" not in html
    # the "reported within the run" card is never green (good) for a lab piling up work
    assert "ht-completion ht-under" in html and "ht-completion ht-on" not in html
    assert "this share falls the longer the run" in html
    stable = copy.deepcopy(edited)
    stable["stability"]["verdict"] = "stable"
    block = stable["specimens"]["after_warmup"]
    block["completed"] = copy.deepcopy(block["arrived"])  # all reported: no caution either
    assert "ht-completion ht-on" in cards_html(stable)
    assert [c["key"] for c in km_cards(edited)] == [
        "km_overall_median", "km_overall_p90", "km_lab_median"]


def test_km_verdicts_read_the_kaplan_meier_shares(results: dict) -> None:
    rows = rcpath_verdicts(results, km=True)
    assert [r["key"] for r in rows] == ["tat_km"] * 5
    lab = results["tat_km"]["lab"]["within"]["3"]
    assert (rows[-1]["share"], rows[-1]["low"], rows[-1]["high"]) == (
        lab["mean"], lab["min"], lab["max"])
    assert stability_verdict(results) == "too short to tell"  # one week


def test_stability_summary_has_a_line_for_every_verdict(results: dict) -> None:
    from hospital_twin.charts import stability_message, stability_summary

    assert stability_summary(results) == stability_message(results)  # too short to tell
    stable = copy.deepcopy(results)
    stable["stability"] = {"verdict": "stable", "weeks_used": 11,
                           "wip_growth_per_week": {"mean": 3.2, "min": -5.4, "max": 11.0}}
    assert stability_message(stable) is None
    assert stability_summary(stable) == (
        "Stable: work in progress changes by about +3 specimens a week (95% CI -5 to +11) "
        "over 11 whole weeks; turnaround figures can be read.")
    del stable["stability"]
    assert stability_summary(stable) is None


def test_km_rows_read_every_group_of_tat_km(results: dict) -> None:
    from hospital_twin.charts import km_rows

    km = results["tat_km"]
    rows = km_rows(results)
    assert [(r["group"], r["name"]) for r in rows] == (
        [("all", "All specimens")] + [("pathway", p) for p in km["by_pathway"]]
        + [("priority", p) for p in km["by_priority"]])
    first = rows[0]
    assert first["specimens"] == km["overall"]["n"]["mean"]
    assert first["still_in_lab"] == km["overall"]["censored"]["mean"]
    seven = km["overall"]["within"]["7"]
    assert (first["within_7_days"], first["within_7_days_low"],
            first["within_7_days_high"]) == (seven["mean"], seven["min"], seven["max"])
    assert first["median_h"] == km["overall"]["percentiles"]["50"]["mean"]
    assert km_rows({}) == []
