"""Per-day figures from a replication's stamps (issue 14 step 3), on hand-made stamps."""

from __future__ import annotations

import numpy as np

from hospital_twin.forecast.daily import daily_from_stamps
from hospital_twin.model.entities import STAMP
from hospital_twin.model.output import STAGES


def _specimen(arrived: float, reported: float | None) -> list[float]:
    row = [np.nan] * (2 * len(STAGES))
    row[STAMP["reception_start"]] = arrived
    if reported is not None:
        row[STAMP["report_end"]] = reported
    return row


def test_reports_and_the_seven_day_share_per_day() -> None:
    """Within 7 days means TAT < 168 h, strictly (spec 11.C19): a report at exactly 168 h
    is late. Day d is [24 d, 24 d + 24)."""
    stamps = np.array([
        _specimen(-100.0, 10.0),  # loaded, 110 h: within, day 0
        _specimen(-158.0, 10.0),  # loaded, exactly 168 h: not within, day 0
        _specimen(2.0, 30.0),  # 28 h, day 1
        _specimen(3.0, None),  # still in the lab
    ])
    daily = daily_from_stamps(stamps, 3)
    assert daily.reports.tolist() == [2.0, 1.0, 0.0]
    assert daily.share_within_7_days[0] == 0.5
    assert daily.share_within_7_days[1] == 1.0
    assert np.isnan(daily.share_within_7_days[2])  # no reports that day
    # in the lab at each day's end: both loaded until reported on day 0, then the others
    assert daily.wip_total.tolist() == [2.0, 1.0, 1.0]
