"""The lab's calendar: a dated start, per-weekday staff profiles, dated exceptions, demand.

Without a calendar (``LabConfig.calendar`` is None) a run starts on a Monday 00:00 and repeats
the configuration's week forever. A :class:`Calendar` dates the run and changes, day by day,
what the weekly configuration gives:

* ``start``: the date and time simulated hour 0 stands for (on a half hour);
* ``staff_profiles``: a resource's 48 half-hourly units on one weekday, replacing that day
  of its weekly roster (e.g. a Saturday shift that is not a full weekday);
* ``closures``: dates with no arrivals and/or no staff (every staff resource at 0 units);
* ``bank_holidays``: dates that follow the Sunday pattern (Sunday's roster and arrivals);
* ``extra_shifts``: temporary extra units of one resource in some half hours of some dates;
* ``demand_multipliers``: arrivals scaled per ISO calendar week or per month;
* ``yearly_growth``: arrivals grow by this fraction per year from the start date.

The neutral calendar (a Monday 00:00 start and nothing else) gives exactly the results of
no calendar.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    field_validator,
    model_validator,
)

from hospital_twin.config.labels import DAYS, HALF_HOURS, RESOURCES, STAFF

#: The default start: a Monday 00:00, as every run without a calendar starts.
DEFAULT_START = dt.datetime(2024, 1, 1, 0, 0)
Weekday = Literal["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]
HalfHour = Annotated[str, Field(pattern=r"^(([01]\d|2[0-3]):(00|30)|24:00)$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _known_resource(value: str) -> str:
    if value not in RESOURCES:
        raise ValueError(f"unknown resource {value!r}; expected one of {', '.join(RESOURCES)}")
    return value


def half_hour_index(text: str) -> int:
    """The slot of an "HH:MM" half-hour label (00:00 -> 0, 23:30 -> 47, 24:00 -> 48)."""
    hours, minutes = text.split(":")
    return int(hours) * 2 + int(minutes) // 30


class StaffProfile(_Strict):
    """One resource's half-hourly units on one weekday (replaces that day of its roster)."""

    resource: str
    day: Weekday
    half_hour_units: list[NonNegativeInt] = Field(description="48 values, 00:00 first")

    _resource = field_validator("resource")(lambda cls, v: _known_resource(v))

    @field_validator("half_hour_units")
    @classmethod
    def _forty_eight(cls, values: list[int]) -> list[int]:
        if len(values) != len(HALF_HOURS):
            raise ValueError(f"expected {len(HALF_HOURS)} half-hour values, got {len(values)}")
        return values


class _DateRange(_Strict):
    first_date: dt.date
    last_date: dt.date | None = Field(None, description="inclusive; default: first_date")

    @model_validator(mode="after")
    def _ordered(self) -> _DateRange:
        if self.last_date is not None and self.last_date < self.first_date:
            raise ValueError(
                f"last_date {self.last_date} is before first_date {self.first_date}"
            )
        return self

    @property
    def last(self) -> dt.date:
        return self.last_date or self.first_date

    def covers(self, day: dt.date) -> bool:
        return self.first_date <= day <= self.last


class Closure(_DateRange):
    """Dates on which the lab receives nothing and/or has no staff."""

    no_arrivals: bool = True
    no_staff: bool = True
    note: str | None = None


class BankHoliday(_Strict):
    """A date that follows the Sunday pattern (Sunday's roster and Sunday's arrivals)."""

    date: dt.date
    note: str | None = None


class ExtraShift(_DateRange):
    """``units`` more of ``resource`` from ``start_time`` to ``end_time`` on the dates
    (only on ``days`` if given)."""

    resource: str
    days: list[Weekday] | None = None
    start_time: HalfHour = "08:00"
    end_time: HalfHour = "16:00"
    units: PositiveInt = 1

    _resource = field_validator("resource")(lambda cls, v: _known_resource(v))

    @model_validator(mode="after")
    def _times_ordered(self) -> ExtraShift:
        if half_hour_index(self.end_time) <= half_hour_index(self.start_time):
            raise ValueError(
                f"end_time {self.end_time} must be after start_time {self.start_time}"
            )
        return self

    def applies(self, day: dt.date) -> bool:
        return self.covers(day) and (self.days is None or DAYS[day.weekday()] in self.days)


class DemandMultiplier(_Strict):
    """Arrivals of one ISO calendar week (1-53) or month (1-12) multiplied by ``multiplier``."""

    period: Literal["week", "month"]
    number: Annotated[int, Field(ge=1, le=53)]
    multiplier: Annotated[float, Field(ge=0.0, allow_inf_nan=False)]

    @model_validator(mode="after")
    def _month_range(self) -> DemandMultiplier:
        if self.period == "month" and self.number > 12:
            raise ValueError(f"month must be 1-12, got {self.number}")
        return self


class Calendar(_Strict):
    """The dated calendar of a run (see the module docstring)."""

    start: dt.datetime = DEFAULT_START
    staff_profiles: list[StaffProfile] = Field(default_factory=list)
    closures: list[Closure] = Field(default_factory=list)
    bank_holidays: list[BankHoliday] = Field(default_factory=list)
    extra_shifts: list[ExtraShift] = Field(default_factory=list)
    demand_multipliers: list[DemandMultiplier] = Field(default_factory=list)
    yearly_growth: Annotated[float, Field(gt=-1.0, le=10.0, allow_inf_nan=False)] = 0.0

    @field_validator("start")
    @classmethod
    def _on_a_half_hour(cls, value: dt.datetime) -> dt.datetime:
        value = value.replace(tzinfo=None)
        if value.minute not in (0, 30) or value.second or value.microsecond:
            raise ValueError(f"the start must be on a half hour (hh:00 or hh:30), got {value}")
        return value

    @model_validator(mode="after")
    def _no_duplicates(self) -> Calendar:
        problems = []
        seen: set[tuple[str, str]] = set()
        for profile in self.staff_profiles:
            key = (profile.resource, profile.day)
            if key in seen:
                problems.append(f"two staff profiles for {profile.resource} on {profile.day}")
            seen.add(key)
        periods: set[tuple[str, int]] = set()
        for m in self.demand_multipliers:
            if (m.period, m.number) in periods:
                problems.append(f"two demand multipliers for {m.period} {m.number}")
            periods.add((m.period, m.number))
        holidays = [h.date for h in self.bank_holidays]
        for day in sorted({d for d in holidays if holidays.count(d) > 1}):
            problems.append(f"bank holiday {day} is listed twice")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def describe(self) -> str:
        """One plain sentence saying what this calendar changes (for dashboards)."""
        parts = [f"{len(items)} {what}" for items, what in (
            (self.closures, "closure(s)"), (self.bank_holidays, "bank holiday(s)"),
            (self.extra_shifts, "extra shift(s)"), (self.staff_profiles, "weekday profile(s)"),
            (self.demand_multipliers, "demand multiplier(s)")) if items]
        if self.yearly_growth:
            parts.append(f"demand growth {self.yearly_growth:.1%} a year")
        changes = ", ".join(parts) if parts else "no exceptions"
        return f"Calendar from {self.start:%a %d %b %Y %H:%M}: {changes}."

    # -- what a day looks like ----------------------------------------------------------
    def is_neutral(self) -> bool:
        """Whether this calendar changes nothing (a Monday 00:00 start and no exceptions)."""
        return (
            self.start.weekday() == 0 and self.start.time() == dt.time(0, 0)
            and not (self.staff_profiles or self.closures or self.bank_holidays
                     or self.extra_shifts or self.demand_multipliers)
            and self.yearly_growth == 0.0
        )

    def pattern_day(self, day: dt.date) -> int:
        """The weekday whose pattern ``day`` follows (a bank holiday follows Sunday's)."""
        if any(h.date == day for h in self.bank_holidays):
            return 6
        return day.weekday()

    def staff_closed(self, day: dt.date) -> bool:
        return any(c.no_staff and c.covers(day) for c in self.closures)

    def arrivals_closed(self, day: dt.date) -> bool:
        return any(c.no_arrivals and c.covers(day) for c in self.closures)

    def demand_factor(self, day: dt.date) -> float:
        """Demand multiplier of ``day``: week x month multipliers x yearly growth."""
        factor = 1.0
        week = day.isocalendar().week
        for m in self.demand_multipliers:
            if (m.period == "week" and m.number == week) or (
                m.period == "month" and m.number == day.month
            ):
                factor *= m.multiplier
        if self.yearly_growth:
            years = (day - self.start.date()).days / 365.25
            factor *= (1.0 + self.yearly_growth) ** years
        return factor

    def day_units(self, resource: str, weekly: list[bool], units: list[int],
                  day: dt.date) -> list[int]:
        """The 48 half-hourly units of ``resource`` on ``day``.

        The roster of the day's pattern weekday (or that weekday's staff profile), plus the
        extra shifts of that date; 0 all day for staff on a closure date.
        """
        if resource in STAFF and self.staff_closed(day):
            return [0] * len(HALF_HOURS)
        weekday = self.pattern_day(day)
        profile = next(
            (p for p in self.staff_profiles
             if p.resource == resource and p.day == DAYS[weekday]),
            None,
        )
        if profile is not None:
            slots = list(profile.half_hour_units)
        else:
            slots = list(units) if weekly[weekday] else [0] * len(HALF_HOURS)
        for shift in self.extra_shifts:
            if shift.resource == resource and shift.applies(day):
                for slot in range(half_hour_index(shift.start_time),
                                  half_hour_index(shift.end_time)):
                    slots[slot] += shift.units
        return slots
