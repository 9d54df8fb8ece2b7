"""The validation chart: the twin's band and mean per measure, the lab's value coloured and
named by its verdict so the legend explains every colour."""

from __future__ import annotations

from hospital_twin.charts.validation import VERDICT_COLOURS, validation_figure
from hospital_twin.lims.validate import INSIDE, OUTSIDE, TOO_FEW

SECTION = "Turnaround (days)"


def _row(measure: str, verdict: str, observed: float, low: float | None,
         high: float | None) -> dict:
    return {"section": SECTION, "measure": measure, "group": "all", "verdict": verdict,
            "observed": observed, "simulated": 5.0, "low": low, "high": high}


def test_each_verdict_has_its_own_legend_entry_and_colour() -> None:
    rows = [_row("median", INSIDE, 5.2, 4.0, 6.0), _row("p90", OUTSIDE, 14.0, 9.0, 12.0),
            _row("p95", TOO_FEW, 20.0, None, None),
            {**_row("other", OUTSIDE, 1.0, 0.0, 0.5), "section": "RCPath shares"}]
    fig = validation_figure(rows, SECTION)
    band, mean, *observed = fig.data
    # the band spans low..high for the rows that have one; the other section is not drawn
    assert list(band.y) == ["median · all", "p90 · all"]
    assert list(band.base) == [4.0, 9.0] and list(band.x) == [2.0, 3.0]
    assert list(mean.y) == ["median · all", "p90 · all", "p95 · all"]
    by_name = {t.name: t for t in observed}
    assert set(by_name) == {"lab: observed, inside the band",
                            "lab: observed, outside the band",
                            "lab: observed, too few data to judge"}
    outside = by_name["lab: observed, outside the band"]
    assert list(outside.y) == ["p90 · all"] and list(outside.x) == [14.0]
    assert outside.marker.color == VERDICT_COLOURS[OUTSIDE]
    assert by_name["lab: observed, inside the band"].marker.color == VERDICT_COLOURS[INSIDE]


def test_a_section_with_every_value_inside_shows_no_red_entry() -> None:
    fig = validation_figure([_row("median", INSIDE, 5.2, 4.0, 6.0)], SECTION)
    assert [t.name for t in fig.data][2:] == ["lab: observed, inside the band"]
