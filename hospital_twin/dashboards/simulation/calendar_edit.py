"""Run-tab fields for a dated run: start date, closed dates, bank holidays, demand growth.

They edit the configuration's calendar (``hospital_twin.config.calendar``); the parts they do
not show (weekday profiles, extra shifts, demand multipliers, from a workbook's Calendar
sheet) are kept as they are.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as w

from hospital_twin.config import ConfigError, LabConfig
from hospital_twin.config.calendar import Calendar
from hospital_twin.errors import ConfigProblem

_STYLE = {"description_width": "260px"}
_WIDE = w.Layout(width="640px")
CLOSED, HOLIDAYS, GROWTH = "closed dates", "bank holidays", "yearly demand growth (%)"


def parse_ranges(text: str, field: str, problems: list[ConfigProblem]
                 ) -> list[tuple[dt.date, dt.date]]:
    """``2026-12-25..2026-12-26, 2027-01-01`` as (first, last) date pairs; every bad item
    is one problem naming ``field``."""
    ranges = []
    for item in (p.strip() for p in text.replace(";", ",").split(",")):
        if not item:
            continue
        first, _, last = item.partition("..")
        try:
            start = dt.date.fromisoformat(first.strip())
            end = dt.date.fromisoformat(last.strip()) if last else start
        except ValueError:
            problems.append(ConfigProblem(
                f"{item!r} is not a date (YYYY-MM-DD) or a range (YYYY-MM-DD..YYYY-MM-DD)",
                column=field))
            continue
        if end < start:
            problems.append(ConfigProblem(f"{item!r} ends before it starts", column=field))
            continue
        ranges.append((start, end))
    return ranges


def _text(ranges: list[tuple[dt.date, dt.date]]) -> str:
    return ", ".join(a.isoformat() if a == b else f"{a}..{b}" for a, b in ranges)


class CalendarEdit:
    """The widgets, filled from a configuration's calendar and applied back to it."""

    def __init__(self) -> None:
        self.dated = w.Checkbox(description="Date the run (a calendar)", value=False,
                                style=_STYLE, layout=w.Layout(width="520px"))
        self.start = w.DatePicker(description="Start (00:00 of)", style=_STYLE,
                                  layout=w.Layout(width="420px"))
        self.closed = w.Text(description="Closed (no arrivals, no staff)", style=_STYLE,
                             layout=_WIDE, placeholder="2026-12-25..2026-12-26, 2027-01-01")
        self.holidays = w.Text(description="Bank holidays (Sunday pattern)", style=_STYLE,
                               layout=_WIDE, placeholder="2026-12-28, 2027-01-01")
        self.growth = w.BoundedFloatText(description="Yearly demand growth (%)", value=0,
                                         min=-99, max=1000, style=_STYLE,
                                         layout=w.Layout(width="420px"))
        self.widget = w.VBox([
            w.HTML("<p>Without a calendar every week repeats from a Monday. Dated runs can "
                   "close the lab, follow bank holidays and let demand grow; a workbook's "
                   "Calendar sheet can also change weekday rosters and add shifts.</p>"),
            self.dated, self.start, self.closed, self.holidays, self.growth])
        self.widget.add_class("ht-calendar-edit")

    def load(self, calendar: Calendar | None) -> None:
        """Show ``calendar`` (None: not dated)."""
        self.dated.value = calendar is not None
        calendar = calendar or Calendar()
        self.start.value = calendar.start.date()
        self.closed.value = _text([(c.first_date, c.last) for c in calendar.closures
                                   if c.no_arrivals and c.no_staff])
        self.holidays.value = ", ".join(h.date.isoformat() for h in calendar.bank_holidays)
        self.growth.value = round(100 * calendar.yearly_growth, 6)

    def apply(self, config: LabConfig) -> LabConfig:
        """``config`` with the calendar as edited (ConfigError listing every problem)."""
        if not self.dated.value:
            return config.model_copy(update={"calendar": None})
        problems: list[ConfigProblem] = []
        closed = parse_ranges(self.closed.value, CLOSED, problems)
        holidays = parse_ranges(self.holidays.value, HOLIDAYS, problems)
        if self.start.value is None:
            problems.append(ConfigProblem("choose the start date", column="start"))
        base = config.calendar or Calendar()
        partial = [c for c in base.closures if not (c.no_arrivals and c.no_staff)]
        data = base.model_dump() | {
            "start": dt.datetime.combine(self.start.value or base.start.date(), dt.time()),
            "closures": partial + [{"first_date": a, "last_date": b} for a, b in closed],
            "bank_holidays": [{"date": a + dt.timedelta(days=i)} for a, b in holidays
                              for i in range((b - a).days + 1)],
            "yearly_growth": float(self.growth.value) / 100,
        }
        calendar = None
        if not problems:
            try:
                calendar = Calendar.model_validate(data)
            except ValueError as exc:
                problems.append(ConfigProblem(str(exc).splitlines()[-1].strip(),
                                              column="calendar"))
        if problems or calendar is None:
            raise ConfigError(problems, source="calendar")
        return config.model_copy(update={"calendar": calendar})
