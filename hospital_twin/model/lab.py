"""One replication of the lab: resources, streams, batchers and routes wired into stages.

:class:`Lab` is the map of the lab: which resource does what, which batchers feed which
machines, and which runner carries specimens from each stage to the next. The stage modules
in :mod:`hospital_twin.model.stages` hold the procedures.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pandas as pd
import simpy

from hospital_twin.config.calendar import DEFAULT_START
from hospital_twin.config.labels import MACHINES, RESOURCES, TASKS
from hospital_twin.config.models import LabConfig
from hospital_twin.model.calendar_plan import CalendarPlan
from hospital_twin.model.distributions import DurationSampler
from hospital_twin.model.engine import Environment, Job
from hospital_twin.model.entities import (
    BLOCK_NAMES,
    BMS_CUTUP,
    CUTUP_NAMES,
    DECALC_NAMES,
    LARGE,
    LARGE_CUTUP,
    MEGA,
    PATHWAYS,
    POOL_CUTUP,
    PRIORITY_NAMES,
    SMALL,
    STAMP,
    Specimen,
)
from hospital_twin.model.flow import (
    Batch,
    Batcher,
    Route,
    daily_release_times,
    delivery_release_times,
)
from hospital_twin.model.initial_state import load_state
from hospital_twin.model.output import (
    SPECIMEN_COLUMNS,
    STAGE_LABELS,
    STAGES,
    ReplicationOutput,
    StepSeries,
    stage_ends_for_wip,
)
from hospital_twin.model.resources import ResourcePool, ScheduledResource
from hospital_twin.model.stages import (
    cutup,
    labelling,
    microtomy,
    processing,
    qc,
    reception,
    scanning,
    staining,
)
from hospital_twin.model.streams import (
    ARRIVALS_CANCER,
    ARRIVALS_NONCANCER,
    ATTRIBUTES_CANCER,
    ATTRIBUTES_NONCANCER,
    FIRST_TASK_STREAM,
    SpecimenFactory,
    UniformStream,
    arrival_times,
    replication_streams,
)

if TYPE_CHECKING:
    from hospital_twin.state.snapshot import SnapshotRow

T = TypeVar("T")


class Lab:
    """The histopathology lab for one replication of ``config``."""

    def __init__(
        self,
        config: LabConfig,
        replication: int = 0,
        sim_hours: float | None = None,
        state: Sequence[SnapshotRow] | None = None,
        monitors: bool = True,
    ) -> None:
        self.config = config
        self.replication = replication
        self.sim_hours = float(config.run.sim_hours if sim_hours is None else sim_hours)
        self.env = Environment()
        self.hold = float  # a job yields the hours it waits (engine.Job)
        streams = replication_streams(config.run.seed, replication)
        self._streams = streams
        self._samplers = {
            label: DurationSampler(config.task_durations[label], streams[FIRST_TASK_STREAM + i])
            for i, label in enumerate(TASKS)
        }
        self._durations = {label: sampler.draw for label, sampler in self._samplers.items()}
        #: Without monitors (a forecast) the resources keep no busy/queue logs and
        #: :meth:`output` is not available; the specimens' stamps are (:meth:`stamps`).
        self.monitors = monitors
        self.pool = ResourcePool(self.env, self._durations, monitors)
        self.release = self.pool.release  # give back one unit of each resource
        #: Seize one unit of each resource and do a task: ``work(resources, priority, task)``
        #: with a task label, the hours, or a function giving the hours of a sequence of
        #: tasks done under one seize. Durations are drawn when the task starts (at the
        #: grant); the job resumes when the task ends and then releases the units.
        self.work = self.pool.acquire
        # A dated calendar (None: the weekly roster and arrivals repeat from Monday 00:00).
        self.plan = (
            None if config.calendar is None
            else CalendarPlan(config, config.calendar, self.sim_hours)
        )
        self.state = list(state or ())  # specimens in the lab at t = 0 (11.C25)
        self.start = (DEFAULT_START if config.calendar is None else config.calendar.start)
        self.resources: dict[str, ScheduledResource] = {
            label: (
                self.pool.add(label, config.resources[label].weekly_capacity())
                if self.plan is None
                else self.pool.add_dated(label, self.plan.initial_capacity(label))
            )
            for label in RESOURCES
        }
        r = self.resources
        self.booking_in_staff = r["Booking-in staff"]
        self.bms = r["BMS"]
        self.cutup_assistant = r["Cut-up assistant"]
        self.processing_staff = r["Processing room staff"]
        self.microtomy_staff = r["Microtomy staff"]
        self.staining_staff = r["Staining staff"]
        self.scanning_staff = r["Scanning staff"]
        self.qc_staff = r["QC staff"]
        self.histopathologist = r["Histopathologist"]
        self.bone_station_machine = r["Bone station"]
        self.processing_machine = r["Processing machine"]
        self.staining_machine = r["Staining machine"]
        self.coverslip_machine = r["Coverslip machine"]
        self.scanner_regular = r["Scanning machine (regular)"]
        self.scanner_megas = r["Scanning machine (megas)"]

        self.factory = SpecimenFactory(config.globals)
        self.specimens: list[Specimen] = []
        self.blocks_arrived = self.blocks_completed = 0
        self.slides_arrived = self.slides_completed = 0
        self.completed = 0
        #: Per machine: times and levels of "finished batches waiting to be unloaded".
        self.held_log: dict[str, tuple[list[float], list[float]]] = {
            label: ([0.0], [0.0]) for label in MACHINES
        }
        self._wire()

    # -- the map of the lab ---------------------------------------------------------------
    def _wire(self) -> None:
        release = self.config.batch_release
        self.timed = release.batch_release == "timed"
        max_wait = release.machine_batch_max_wait_h if self.timed else None

        # Deliveries between stages (spec 5, 11.C13): route, runner, journey, next stage.
        self.to_cutup = self._route(
            "Delivery (reception to cut-up)", self.booking_in_staff, "(reception, cutup)",
            cutup.arrive,
        )
        self.to_processing = {
            kind: self._route(
                "Delivery (cut-up to processing)", runner, "(cutup, processing)",
                processing.arrive, name=f"Delivery (cut-up to processing): {CUTUP_NAMES[kind]}",
            )
            for kind, runner in (
                (BMS_CUTUP, self.bms),
                (POOL_CUTUP, self.cutup_assistant),
                (LARGE_CUTUP, self.cutup_assistant),
            )
        }
        self.to_microtomy = self._route(
            "Delivery (processing to microtomy)", self.processing_staff,
            "(processing, microtomy)", microtomy.arrive,
        )
        self.to_staining = self._route(
            "Delivery (microtomy to staining)", self.microtomy_staff, "(microtomy, staining)",
            staining.arrive,
        )
        self.to_labelling = self._route(
            "Delivery (staining to labelling)", self.staining_staff, "(staining, labelling)",
            labelling.arrive,
        )
        self.to_scanning = self._route(
            "Delivery (labelling to scanning)", self.microtomy_staff, "(labelling, scanning)",
            scanning.arrive,
        )
        self.to_qc = self._route(
            "Delivery (scanning to QC)", self.scanning_staff, "(scanning, qc)", qc.arrive,
        )

        # Machine batchers (11.C11, 11.C16): released when full, or when the oldest item
        # has waited ``max_wait`` (bone station, urgent programme, staining, scanning), or
        # at the processing start time (the three regular programmes, overnight runs).
        sizes = self.config.batch_sizes
        self.bone_station = self._batcher(
            "Bone station (blocks)", sizes["Bone station (blocks)"],
            processing.decalc_in_bone_station, max_wait,
        )
        programme_batch = {
            processing.URGENT_PROGRAMME: "Processing machine (urgent blocks)",
            processing.PROGRAMME_BY_BLOCK[SMALL]: "Processing machine (regular blocks)",
            processing.PROGRAMME_BY_BLOCK[LARGE]: "Processing machine (regular blocks)",
            processing.PROGRAMME_BY_BLOCK[MEGA]: "Processing machine (mega blocks)",
        }
        self.programmes: dict[str, Batcher] = {}
        for programme, size_label in programme_batch.items():
            urgent = programme == processing.URGENT_PROGRAMME
            batcher = self._batcher(
                programme, sizes[size_label], _bind(processing.run_programme, programme),
                max_wait if urgent else None,
            )
            if self.timed and not urgent:
                self._start_programme_at_its_time(batcher, programme)
            self.programmes[programme] = batcher
        self.staining_regular = self._batcher(
            "Staining (regular slides)", sizes["Staining (regular slides)"],
            staining.stain_regular, max_wait,
        )
        self.staining_megas = self._batcher(
            "Staining (mega slides)", sizes["Staining (mega slides)"],
            staining.stain_megas, max_wait,
        )
        self.scanning_regular = self._batcher(
            "Scanning (regular slides)", sizes["Scanning (regular slides)"],
            scanning.scan_regular, max_wait,
        )
        self.scanning_megas = self._batcher(
            "Scanning (mega slides)", sizes["Scanning (mega slides)"],
            scanning.scan_megas, max_wait,
        )

    def _start_programme_at_its_time(self, batcher: Batcher, programme: str) -> None:
        """Release a regular programme at its start time on Processing room staff's days;
        under the "start_time" rule a full batch waits for it too (11.C16 amended)."""
        release = self.config.batch_release
        block = next(b for b, p in processing.PROGRAMME_BY_BLOCK.items() if p == programme)
        batcher.hold_full = release.processing_release == "start_time"
        self._release_daily(
            batcher, "Processing room staff", release.programme_start_hour(_START_KEYS[block])
        )

    def _route(
        self,
        size_label: str,
        runner: ScheduledResource,
        journey: str,
        arrive: Callable[[Lab, Specimen], None],
        name: str | None = None,
    ) -> Route:
        runner_times = self.config.runner
        route = Route(
            self,
            name or size_label,
            runner,
            runner_times.outbound_hours(journey),
            runner_times.return_hours(journey),
            self.config.batch_sizes[size_label],
            lambda specimen: arrive(self, specimen),
        )
        if self.timed:
            self._release_deliveries(route.batcher, runner.name)
        return route

    def _release_deliveries(self, batcher: Batcher, runner: str) -> None:
        """Timed release of a runner's delivery batches (11.C15), weekly or dated."""
        release = self.config.batch_release
        if self.plan is not None:
            batcher.release_at_times(self.plan.delivery_times(
                runner, release.delivery_release_interval_min, release.flush_before_shift_end
            ))
            return
        batcher.release_at(
            delivery_release_times(
                self.config.resources[runner].weekly_capacity(),
                release.delivery_release_interval_min,
                release.flush_before_shift_end,
            )
        )

    def _release_daily(self, batcher: Batcher, resource: str, hour: float) -> None:
        """Release ``batcher`` at ``hour`` on days ``resource`` works then (11.C16)."""
        if self.plan is not None:
            batcher.release_at_times(self.plan.daily_times(resource, hour))
            return
        batcher.release_at(
            daily_release_times(self.config.resources[resource].weekly_capacity(), hour)
        )

    def _batcher(
        self,
        name: str,
        size: int,
        procedure: Callable[[Lab, Batch], Generator[simpy.Event | None, object, None]],
        max_wait_h: float | None,
    ) -> Batcher:
        env = self.env
        return Batcher(env, name, size, lambda batch: Job(procedure(self, batch), env), max_wait_h)

    # -- what the stages use ------------------------------------------------------------------
    def log_held(self, machine: ScheduledResource, change: int) -> None:
        """A machine unit starts (+1) or stops (-1) holding a finished batch."""
        times, levels = self.held_log[machine.name]
        times.append(self.env.now)
        levels.append(levels[-1] + change)

    def draw(self, task: str) -> float:
        """A duration in hours for ``task`` from its own stream."""
        return self._durations[task]()

    def draw_sum(self, task: str, n: int) -> float:
        """Total hours of ``task`` done ``n`` times in a row."""
        return self._samplers[task].sum_of(n)

    def complete(self, s: Specimen) -> None:
        """The report is written: the specimen leaves the lab."""
        self.completed += 1
        self.blocks_completed += s.num_blocks
        self.slides_completed += s.num_slides

    def batchers(self) -> dict[str, Batcher]:
        """Every batcher of the lab by name, deliveries first."""
        routes = [self.to_cutup, *self.to_processing.values(), self.to_microtomy,
                  self.to_staining, self.to_labelling, self.to_scanning, self.to_qc]
        machines = [self.bone_station, *self.programmes.values(), self.staining_regular,
                    self.staining_megas, self.scanning_regular, self.scanning_megas]
        return {b.name: b for b in [r.batcher for r in routes] + machines}

    # -- running ----------------------------------------------------------------------------
    def run(self) -> None:
        """Simulate from Monday 00:00 (empty lab) to ``sim_hours``.

        The cyclic garbage collector is paused meanwhile: collecting would free nothing
        (the lab's objects stay in use until the run ends), and full collections would
        re-scan every object of the imported libraries (about a quarter of the run time).
        The finished lab is one reference cycle; :func:`run_and_free` frees it at once.
        """
        if self.plan is None:
            self.pool.start_rosters()
        else:
            self.pool.start_dated_rosters([
                (at, self.resources[RESOURCES[index]], units)
                for at, index, units in self.plan.capacity_changes(RESOURCES)
            ])
        self.env.process(self._arrivals())
        if self.state:
            load_state(self, self.state, self.start)
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            self.env.run_until(self.sim_hours)
        finally:
            if was_enabled:
                gc.enable()

    def _arrivals(self) -> Generator[simpy.Event, object, None]:
        rates = self.config.arrivals
        if self.plan is None:
            times = [
                arrival_times(rates.cancer, self._streams[ARRIVALS_CANCER], self.sim_hours),
                arrival_times(
                    rates.noncancer, self._streams[ARRIVALS_NONCANCER], self.sim_hours
                ),
            ]
        else:
            times = [
                self.plan.arrival_times(pathway, self._streams[stream], self.sim_hours)
                for pathway, stream in (("cancer", ARRIVALS_CANCER),
                                        ("noncancer", ARRIVALS_NONCANCER))
            ]
        attributes = [
            UniformStream(self._streams[ATTRIBUTES_CANCER]),
            UniformStream(self._streams[ATTRIBUTES_NONCANCER]),
        ]
        all_times = np.concatenate(times)
        pathways = np.repeat([0, 1], [len(times[0]), len(times[1])])
        order = np.argsort(all_times, kind="stable")
        env = self.env
        for at, pathway in zip(all_times[order].tolist(), pathways[order].tolist(), strict=True):
            if at > env.now:
                yield env.timeout(at - env.now)
            specimen = self.factory.draw(len(self.specimens), pathway, attributes[pathway])
            self.specimens.append(specimen)
            reception.arrive(self, specimen)

    def dispose(self) -> None:
        """Drop everything this replication holds, so it is freed at once.

        A finished lab is one large reference cycle (waiting jobs hold the lab, the lab holds
        the event queue that holds them). Left to the cyclic collector, it is freed only by
        a full collection, which every few replications re-scans all live objects: about 5 %
        of a forecast's CPU time (benchmarks/forecast_speed.py). Emptying the event queue,
        the resource queues and the lab's own attributes breaks the cycle, and reference
        counting frees it. The lab cannot be used afterwards.
        """
        self.env._queue.clear()
        for resource in self.pool.resources.values():
            for queue in resource.queues:
                queue.clear()
        self.__dict__.clear()

    def events_processed(self) -> int:
        """SimPy events processed so far (scheduled minus still queued)."""
        eid = getattr(self.env, "_eid", None)
        queue = getattr(self.env, "_queue", None)
        if eid is None or queue is None:
            return 0
        return int(repr(eid)[6:-1]) - len(queue)

    # -- results ---------------------------------------------------------------------------
    def stamps(self) -> np.ndarray:
        """Stage start/end stamps, one row per specimen, columns as ``entities.STAMP``."""
        return np.array([s.stamps for s in self.specimens], dtype=float).reshape(
            len(self.specimens), 2 * len(STAGES)
        )

    def output(self, warmup_hours: float = 0.0, wall_seconds: float = 0.0) -> ReplicationOutput:
        """The event log and monitors in the shape of the KPI contract."""
        if not self.monitors:
            raise RuntimeError("this replication ran without monitors: only stamps() is kept")
        stamps = self.stamps()
        sp = self.specimens
        columns: dict[str, object] = {
            "specimen_id": np.array([s.sid for s in sp], dtype=np.int64),
            "pathway": _text([PATHWAYS[s.pathway] for s in sp]),
            "priority": _text([PRIORITY_NAMES[s.priority] for s in sp]),
            "source": _text(["Internal" if s.internal else "External" for s in sp]),
            "cutup_type": _text([CUTUP_NAMES[s.cutup] for s in sp]),
            "block_type": _text([BLOCK_NAMES[s.block_type] for s in sp]),
            "decalc": _text([DECALC_NAMES[s.decalc] for s in sp]),
            "num_blocks": np.array([s.num_blocks for s in sp], dtype=np.int64),
            "num_slides": np.array([s.num_slides for s in sp], dtype=np.int64),
        }
        for name, col in STAMP.items():
            columns[name] = stamps[:, col]
        specimens = pd.DataFrame(columns, columns=list(SPECIMEN_COLUMNS))
        series = {k: r.series() for k, r in self.resources.items()}
        return ReplicationOutput(
            sim_hours=self.sim_hours,
            warmup_hours=float(warmup_hours),
            seed_entropy=int(self.config.run.seed),
            replication=self.replication,
            specimens=specimens,
            wip=wip_series(stamps),
            capacity={k: series[k][0] for k in self.resources},
            busy={k: series[k][1] for k in self.resources},
            queue={k: series[k][2] for k in self.resources},
            blocks_arrived=self.blocks_arrived,
            blocks_completed=self.blocks_completed,
            slides_arrived=self.slides_arrived,
            slides_completed=self.slides_completed,
            partial_batches={name: b.waiting for name, b in self.batchers().items()},
            held={name: _held_series(*log) for name, log in self.held_log.items()},
            events=self.events_processed(),
            wall_seconds=float(wall_seconds),
        )


def run_and_free(lab: Lab, take: Callable[[Lab], T]) -> T:
    """Run ``lab``, keep ``take(lab)`` and free the lab at once (:meth:`Lab.dispose`).

    The cyclic collector stays paused from the start of the run until the lab is freed, so
    it never scans the lab's objects: a replication costs the same whether it is the first
    or the hundredth in its process.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        lab.run()
        kept = take(lab)
        lab.dispose()
    finally:
        if was_enabled:
            gc.enable()
    return kept


#: Block type -> suffix of its ``BatchRelease.processing_start_*`` field.
_START_KEYS = {SMALL: "small", LARGE: "large", MEGA: "mega"}


def _held_series(times: list[float], levels: list[float]) -> StepSeries:
    """The held level as a step series (same-time changes merged, the last one holds)."""
    t, v = np.asarray(times, dtype=float), np.asarray(levels, dtype=float)
    last = np.append(t[1:] != t[:-1], True)
    return StepSeries(t[last], v[last])


def _text(values: list[str]) -> pd.Series:
    """A string column (also when empty, so its dtype does not depend on the row count)."""
    return pd.Series(values, dtype=str)


def _bind(procedure: Callable, *args: object) -> Callable[[Lab, Batch], Generator]:
    return lambda lab, batch: procedure(lab, batch, *args)


def level_from_edges(ups: np.ndarray, downs: np.ndarray) -> StepSeries:
    """The step series of a count that rises by one at each ``ups`` time and falls at each
    ``downs`` time (NaN = never); same-time changes are merged; starts at 0 at t = 0."""
    ups = np.maximum(ups[~np.isnan(ups)], 0.0)  # loaded specimens (arrived before t = 0)
    downs = downs[~np.isnan(downs)]
    times = np.concatenate([ups, downs])
    deltas = np.concatenate([np.ones(len(ups)), -np.ones(len(downs))])
    order = np.argsort(times, kind="stable")
    times, levels = times[order], np.cumsum(deltas[order])
    last = np.append(times[1:] != times[:-1], True) if len(times) else np.empty(0, dtype=bool)
    times, levels = times[last], levels[last]
    if not len(times) or times[0] > 0.0:
        times, levels = np.append(0.0, times), np.append(0.0, levels)
    return StepSeries(times.astype(float), levels.astype(float))


def wip_series(stamps: np.ndarray) -> dict[str, StepSeries]:
    """WIP per stage (start to end stamp) and in total (arrival to report end), 11.C18."""
    wip = {
        "Total WIP": level_from_edges(
            stamps[:, STAMP["reception_start"]], stamps[:, STAMP["report_end"]]
        )
    }
    stage_ends = stage_ends_for_wip(stamps)
    for k, (stage, label) in enumerate(STAGE_LABELS.items()):
        wip[label] = level_from_edges(stamps[:, STAMP[f"{stage}_start"]], stage_ends[:, k])
    return wip
