"""Pydantic models of a complete lab configuration.

A :class:`LabConfig` holds everything one simulation needs: arrival schedules,
resource rosters, task durations, batch sizes, routing probabilities, count
distributions, runner times, batch-release rules and run settings. It is what the
workbook reader produces, what the model consumes and what is stored as JSON with
every scenario. Validation lives here only; the workbook reader maps the
locations of these errors back to sheets, tables, rows and columns.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    field_validator,
    model_serializer,
    model_validator,
)

from hospital_twin.config.calendar import Calendar
from hospital_twin.config.labels import (
    BATCHES,
    DAYS,
    HALF_HOURS,
    HOURS_PER_WEEK,
    RESOURCES,
    RUNNER_JOURNEYS,
    TASKS,
    URGENT_PROCESSING_BATCH,
    URGENT_PROCESSING_BATCH_DEFAULT,
)

TIME_UNITS: dict[str, float] = {"sec": 1 / 3600, "min": 1 / 60, "hour": 1.0}
PROBABILITY_TOLERANCE = 1e-6

Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
FiniteNonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]


class _Strict(BaseModel):
    """Base: unknown keys are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def normalise_time_unit(value: object) -> object:
    """Accept any word starting with s/m/h (``seconds``, ``Min``, ``hr``) as a unit."""
    if isinstance(value, str) and value.strip():
        first = value.strip()[0].lower()
        return {"s": "sec", "m": "min", "h": "hour"}.get(first, value)
    return value


class ArrivalSchedules(_Strict):
    """Expected specimens arriving in each hour of the week, Monday 00:00 first."""

    cancer: list[FiniteNonNegative] = Field(
        description="168 hourly expected arrivals on the cancer pathway"
    )
    noncancer: list[FiniteNonNegative] = Field(
        description="168 hourly expected arrivals on the non-cancer pathway"
    )

    @field_validator("cancer", "noncancer")
    @classmethod
    def _one_week(cls, values: list[float]) -> list[float]:
        if len(values) != HOURS_PER_WEEK:
            raise ValueError(f"expected {HOURS_PER_WEEK} hourly values, got {len(values)}")
        return values


class ResourceSchedule(_Strict):
    """One resource's weekly roster: working days and units per half hour on those days."""

    working_days: list[bool] = Field(description="7 flags, Monday first; False = 0 all day")
    half_hour_units: list[NonNegativeInt] = Field(
        description="48 allocations, 00:00 first: units available in that half hour"
    )

    @field_validator("working_days")
    @classmethod
    def _seven_days(cls, values: list[bool]) -> list[bool]:
        if len(values) != len(DAYS):
            raise ValueError(f"expected {len(DAYS)} day flags, got {len(values)}")
        return values

    @field_validator("half_hour_units")
    @classmethod
    def _forty_eight_slots(cls, values: list[int]) -> list[int]:
        if len(values) != len(HALF_HOURS):
            raise ValueError(f"expected {len(HALF_HOURS)} half-hour values, got {len(values)}")
        return values

    def weekly_capacity(self) -> list[int]:
        """Units available in each of the week's 336 half hours."""
        return [
            units if working else 0
            for working in self.working_days
            for units in self.half_hour_units
        ]

    def scaled(self, factor: float) -> ResourceSchedule:
        """The same roster with every half hour's units multiplied by ``factor`` (rounded)."""
        return self.model_copy(
            update={"half_hour_units": [max(0, round(u * factor)) for u in self.half_hour_units]}
        )


class TaskDuration(_Strict):
    """How long a task takes: a Constant, Triangular or PERT distribution and its unit."""

    distribution: Literal["Constant", "Triangular", "PERT"]
    low: FiniteNonNegative | None = Field(None, description="Optimistic (ignored by Constant)")
    mode: FiniteNonNegative = Field(description="Most likely")
    high: FiniteNonNegative | None = Field(None, description="Pessimistic (ignored by Constant)")
    unit: Literal["sec", "min", "hour"]
    note: str | None = Field(None, description="what one task is for (2024 layout's Note)")

    _normalise_unit = field_validator("unit", mode="before")(
        lambda cls, v: normalise_time_unit(v)
    )

    @model_validator(mode="after")
    def _ordered(self) -> TaskDuration:
        if self.distribution == "Constant":
            return self
        if self.low is None or self.high is None:
            raise ValueError(f"{self.distribution} needs Optimistic and Pessimistic values")
        if not self.low <= self.mode <= self.high:
            raise ValueError(
                f"expected Optimistic <= Most Likely <= Pessimistic, "
                f"got {self.low:g}, {self.mode:g}, {self.high:g}"
            )
        return self

    @property
    def hours_per_unit(self) -> float:
        return TIME_UNITS[self.unit]

    def mean_hours(self) -> float:
        """Mean duration in hours (Triangular: (a+m+b)/3; PERT: (a+4m+b)/6)."""
        if self.distribution == "Constant" or self.low == self.high:
            mean = self.mode
        elif self.distribution == "Triangular":
            mean = (self.low + self.mode + self.high) / 3
        else:
            mean = (self.low + 4 * self.mode + self.high) / 6
        return mean * self.hours_per_unit


class CountDistribution(_Strict):
    """An integer count (blocks per specimen, slides per block), 1 <= low <= mode <= high."""

    distribution: Literal["Constant", "IntTriangular", "IntPERT"]
    low: PositiveInt
    mode: PositiveInt
    high: PositiveInt

    @model_validator(mode="after")
    def _ordered(self) -> CountDistribution:
        if not self.low <= self.mode <= self.high:
            raise ValueError(
                f"expected low <= mode <= high, got {self.low}, {self.mode}, {self.high}"
            )
        return self


class GlobalParameters(_Strict):
    """Routing probabilities and count distributions (the workbooks' defined names).

    Each field's alias is the workbook's defined name.
    """

    prob_urgent_cancer: Probability = Field(alias="ProbUrgentCancer")
    prob_priority_cancer: Probability = Field(alias="ProbPriorityCancer")
    prob_routine_cancer: Probability | None = Field(None, alias="ProbRoutineCancer")
    prob_urgent_noncancer: Probability = Field(alias="ProbUrgentNonCancer")
    prob_priority_noncancer: Probability = Field(alias="ProbPriorityNonCancer")
    prob_routine_noncancer: Probability | None = Field(None, alias="ProbRoutineNonCancer")
    prob_internal: Probability = Field(alias="ProbInternal")
    prob_prebook: Probability = Field(alias="ProbPrebook")
    prob_invest_easy: Probability = Field(alias="ProbInvestEasy")
    prob_invest_hard: Probability = Field(alias="ProbInvestHard")
    prob_invest_external: Probability = Field(alias="ProbInvestExternal")
    prob_bms_cutup: Probability = Field(alias="ProbBMSCutup")
    prob_bms_cutup_urgent: Probability = Field(alias="ProbBMSCutupUrgent")
    prob_pool_cutup: Probability = Field(alias="ProbPoolCutup")
    prob_pool_cutup_urgent: Probability = Field(alias="ProbPoolCutupUrgent")
    prob_large_cutup: Probability = Field(alias="ProbLargeCutup")
    prob_large_cutup_urgent: Probability = Field(alias="ProbLargeCutupUrgent")
    prob_mega_blocks: Probability = Field(alias="ProbMegaBlocks")
    num_blocks_mega: CountDistribution = Field(alias="NumBlocksMega")
    num_blocks_large_surgical: CountDistribution = Field(alias="NumBlocksLargeSurgical")
    prob_decalc_bone: Probability = Field(alias="ProbDecalcBone")
    prob_decalc_oven: Probability = Field(alias="ProbDecalcOven")
    prob_microtomy_levels: Probability = Field(alias="ProbMicrotomyLevels")
    num_slides_levels: CountDistribution = Field(alias="NumSlidesLevels")
    num_slides_serials: CountDistribution = Field(alias="NumSlidesSerials")
    num_slides_larges: CountDistribution = Field(alias="NumSlidesLarges")
    num_slides_megas: CountDistribution = Field(alias="NumSlidesMegas")

    @model_validator(mode="after")
    def _groups_sum(self) -> GlobalParameters:
        """Probabilities drawn against one uniform must not exceed 1 (spec 11.C1-C4)."""
        problems: list[str] = []

        def at_most_one(names: tuple[str, ...]) -> None:
            total = sum(getattr(self, n) for n in names)
            if total > 1 + PROBABILITY_TOLERANCE:
                aliases = " + ".join(type(self).model_fields[n].alias for n in names)
                problems.append(f"{aliases} = {total:g}, expected at most 1")

        def exactly_one(names: tuple[str, ...]) -> None:
            total = sum(getattr(self, n) for n in names)
            if not math.isclose(total, 1.0, abs_tol=PROBABILITY_TOLERANCE):
                aliases = " + ".join(type(self).model_fields[n].alias for n in names)
                problems.append(f"{aliases} = {total:g}, expected 1")

        at_most_one(("prob_urgent_cancer", "prob_priority_cancer"))
        at_most_one(("prob_urgent_noncancer", "prob_priority_noncancer"))
        at_most_one(("prob_invest_easy", "prob_invest_hard"))
        at_most_one(("prob_decalc_bone", "prob_decalc_oven"))
        exactly_one(("prob_bms_cutup", "prob_pool_cutup", "prob_large_cutup"))
        exactly_one(
            ("prob_bms_cutup_urgent", "prob_pool_cutup_urgent", "prob_large_cutup_urgent")
        )
        if self.prob_routine_cancer is not None:
            exactly_one(("prob_urgent_cancer", "prob_priority_cancer", "prob_routine_cancer"))
        if self.prob_routine_noncancer is not None:
            exactly_one(
                ("prob_urgent_noncancer", "prob_priority_noncancer", "prob_routine_noncancer")
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class RunnerTimes(_Strict):
    """How long deliveries between stages take (spec 11.C14).

    With ``distances_m`` (2024 layout) a trip is loading + d/speed + unloading to hand
    over, then d/speed to walk back. Without them (2023 layout) every leg takes
    ``default_walk_s`` and loading/unloading are free.
    """

    speed_m_per_s: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.2
    loading_time_s: FiniteNonNegative = 0.0
    unloading_time_s: FiniteNonNegative = 0.0
    distances_m: dict[str, FiniteNonNegative] | None = Field(
        None, description="metres per runner journey, keyed '(reception, cutup)' etc."
    )
    default_walk_s: FiniteNonNegative = 120.0

    @field_validator("distances_m")
    @classmethod
    def _all_journeys(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return None
        unknown = [k for k in value if k not in RUNNER_JOURNEYS]
        missing = [k for k in RUNNER_JOURNEYS if k not in value]
        if unknown or missing:
            raise ValueError(
                f"expected the journeys {', '.join(RUNNER_JOURNEYS)}"
                + (f"; unknown {', '.join(unknown)}" if unknown else "")
                + (f"; missing {', '.join(missing)}" if missing else "")
            )
        return {k: value[k] for k in RUNNER_JOURNEYS}

    def outbound_hours(self, journey: str) -> float:
        """Loading + walk out + unloading, in hours: when the items arrive."""
        if self.distances_m is None:
            seconds = self.default_walk_s
        else:
            walk = self.distances_m[journey] / self.speed_m_per_s
            seconds = self.loading_time_s + walk + self.unloading_time_s
        return seconds / 3600

    def return_hours(self, journey: str) -> float:
        """The walk back, in hours: when the runner is free again."""
        if self.distances_m is None:
            return self.default_walk_s / 3600
        return self.distances_m[journey] / self.speed_m_per_s / 3600


_HH_MM = r"^([01]\d|2[0-3]):[0-5]\d$"


class BatchRelease(_Strict):
    """When partly filled batches are released (spec 11.C15-C17)."""

    batch_release: Literal["timed", "full_only"] = "timed"
    delivery_release_interval_min: Annotated[int, Field(gt=0)] = 60
    flush_before_shift_end: bool = True
    machine_batch_max_wait_h: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 2.0
    processing_start_time: str = Field("16:30", pattern=_HH_MM)
    #: How the three regular programmes start (11.C16 amended): "start_time" = only at
    #: their own start time (a full batch waits for it too); "full_or_start_time" = when
    #: full, or at the start time (the earlier rule).
    processing_release: Literal["start_time", "full_or_start_time"] = "start_time"
    #: Per-programme start times ('Processing Variables' F5:F7 in the 2024 layout); None
    #: means ``processing_start_time``.
    processing_start_small: str | None = Field(None, pattern=_HH_MM)
    processing_start_large: str | None = Field(None, pattern=_HH_MM)
    processing_start_mega: str | None = Field(None, pattern=_HH_MM)

    @property
    def processing_start_hour(self) -> float:
        return _hour_of(self.processing_start_time)

    def programme_start_hour(self, block_type: str) -> float:
        """Start hour of the "small", "large" or "mega" programme (its own, else the default)."""
        own = getattr(self, f"processing_start_{block_type}")
        return _hour_of(own if own is not None else self.processing_start_time)


def _hour_of(text: str) -> float:
    hours, minutes = text.split(":")
    return int(hours) + int(minutes) / 60


class RunSettings(_Strict):
    """Length, replications, seed and warm-up of a run."""

    sim_hours: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 4 * HOURS_PER_WEEK
    replications: Annotated[int, Field(ge=1, le=10_000)] = 1
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    warmup_hours: FiniteNonNegative = 0.0

    @model_validator(mode="after")
    def _warmup_inside_run(self) -> RunSettings:
        if self.warmup_hours >= self.sim_hours:
            raise ValueError(
                f"warm-up ({self.warmup_hours:g} h) must be shorter than the run "
                f"({self.sim_hours:g} h)"
            )
        return self


def _keyed_in_order(value: dict, labels: tuple[str, ...], what: str) -> dict:
    """Check a dict has exactly ``labels`` as keys; return it in canonical order."""
    if not isinstance(value, dict):
        return value
    unknown = [k for k in value if k not in labels]
    missing = [k for k in labels if k not in value]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"unknown {what} {', '.join(repr(k) for k in unknown)}")
        if missing:
            parts.append(f"missing {what} {', '.join(repr(k) for k in missing)}")
        raise ValueError("; ".join(parts))
    return {k: value[k] for k in labels}


class LabConfig(_Strict):
    """A complete configuration of the histopathology lab and of one run."""

    layout: Literal["2023", "2024"] = Field(
        "2023", description="workbook layout this configuration is written back in"
    )
    arrivals: ArrivalSchedules
    resources: dict[str, ResourceSchedule] = Field(description="the 15 resources, by label")
    task_durations: dict[str, TaskDuration] = Field(description="the 48 tasks, by label")
    batch_sizes: dict[str, PositiveInt] = Field(description="the 15 batch sizes, by label")
    globals: GlobalParameters
    runner: RunnerTimes = Field(default_factory=RunnerTimes)
    batch_release: BatchRelease = Field(default_factory=BatchRelease)
    run: RunSettings = Field(default_factory=RunSettings)
    calendar: Calendar | None = Field(
        None, description="dated start, weekday profiles, exceptions, demand (None: none)"
    )

    @model_serializer(mode="wrap")
    def _without_empty_calendar(self, handler):  # noqa: ANN001, ANN202 - pydantic hook
        """No ``calendar`` key when there is none: configurations without one dump
        exactly as before calendars existed."""
        data = handler(self)
        if self.calendar is None and isinstance(data, dict):
            data.pop("calendar", None)
        return data

    @field_validator("resources", mode="before")
    @classmethod
    def _fifteen_resources(cls, value: dict) -> dict:
        return _keyed_in_order(value, RESOURCES, "resource")

    @field_validator("task_durations", mode="before")
    @classmethod
    def _all_tasks(cls, value: dict) -> dict:
        return _keyed_in_order(value, TASKS, "task")

    @field_validator("batch_sizes", mode="before")
    @classmethod
    def _all_batches(cls, value: dict) -> dict:
        if isinstance(value, dict) and URGENT_PROCESSING_BATCH not in value:
            value = {**value, URGENT_PROCESSING_BATCH: URGENT_PROCESSING_BATCH_DEFAULT}
        return _keyed_in_order(value, BATCHES, "batch")

    # -- convenience -------------------------------------------------------------------
    def with_run(self, **settings: object) -> LabConfig:
        """A copy with some run settings changed (validated)."""
        run = RunSettings.model_validate(self.run.model_dump() | settings)
        return self.model_copy(update={"run": run})

    def expected_weekly_arrivals(self) -> dict[str, float]:
        return {
            "cancer": sum(self.arrivals.cancer),
            "noncancer": sum(self.arrivals.noncancer),
        }
