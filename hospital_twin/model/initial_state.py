"""Loading the lab's state at t = 0: each snapshot specimen enters the model at its stage.

Spec 11.C25 (amended by issue 14). A loaded specimen keeps its pathway and priority; every
other decision (source, investigations, cut-up type, blocks, decalc, slides) is drawn as for
an arrival (11.C26) from the replication's own *state stream*: child ``N_STREAMS`` of the
replication's seed sequence, which no other part of the model uses. So the arrival and task
streams are the same as in a run without a snapshot (common random numbers hold), and the
n-th loaded specimen gets the same attributes in every scenario with the same seed.

A given ``blocks`` count replaces the drawn one (the drawn blocks repeated in turn); given
``slides`` are spread over the blocks as evenly as possible. The reception start stamp is the
real arrival (negative hours: before the run), so turnaround counts from it; the loaded
stage's start stamp is 0 (the specimen enters the model then); the stamps of the stages it
has passed are unknown (NaN).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from hospital_twin.model.entities import PATHWAYS, PRIORITY_NAMES, STAMP, Specimen
from hospital_twin.model.flow import Job
from hospital_twin.model.output import STAGES
from hospital_twin.model.stages import (
    cutup,
    labelling,
    microtomy,
    processing,
    qc,
    reception,
    reporting,
    scanning,
    staining,
)
from hospital_twin.model.streams import N_STREAMS, UniformStream

if TYPE_CHECKING:
    from hospital_twin.model.lab import Lab
    from hospital_twin.state.snapshot import SnapshotRow

STATE_STREAM = N_STREAMS
_ARRIVE = {
    "cutup": cutup.arrive,
    "processing": processing.arrive,
    "microtomy": microtomy.arrive,
    "staining": staining.arrive,
    "labelling": labelling.arrive,
    "scanning": scanning.arrive,
    "qc": qc.arrive,
    "report": reporting.arrive,
}


def state_stream(seed: int, replication: int) -> np.random.Generator:
    """The replication's stream for loaded specimens (child N_STREAMS of its seed)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replication,
                                                                         STATE_STREAM)))


def load_state(lab: Lab, rows: Sequence[SnapshotRow], start: dt.datetime) -> None:
    """Put every snapshot specimen into ``lab`` at its stage (call before running)."""
    u = UniformStream(state_stream(lab.config.run.seed, lab.replication))
    for row in rows:
        specimen = lab.factory.draw(
            len(lab.specimens), PATHWAYS.index(row.pathway), u,
            priority=PRIORITY_NAMES.index(row.priority),
        )
        _apply_counts(specimen, row.blocks, row.slides)
        specimen.stamps[STAMP["reception_start"]] = (
            (row.arrived_at - start).total_seconds() / 3600
        )
        lab.specimens.append(specimen)
        _enter(lab, specimen, row.stage)


def _apply_counts(s: Specimen, blocks: int | None, slides: int | None) -> None:
    drawn = s.blocks
    n = blocks if blocks is not None else len(drawn)
    if slides is not None:
        n = min(n, slides)
    chosen = [drawn[i % len(drawn)] for i in range(n)]
    if slides is not None:
        base, extra = divmod(slides, n)
        chosen = [(kind, base + (1 if i < extra else 0)) for i, (kind, _) in enumerate(chosen)]
    s.blocks = chosen


def _enter(lab: Lab, s: Specimen, stage: str) -> None:
    """Start ``s`` at ``stage``: what earlier stages made (blocks, slides) is made now."""
    position = STAGES.index(stage)
    if stage == "reception":
        Job(reception.receive_and_book_in(lab, s), lab.env)
        return
    if position > STAGES.index("cutup"):
        s.num_blocks = len(s.blocks)
        lab.blocks_arrived += s.num_blocks
    if position > STAGES.index("microtomy"):
        s.num_slides = sum(n for _, n in s.blocks)
        lab.slides_arrived += s.num_slides
    _ARRIVE[stage](lab, s)
