"""Stage 30, processing: decalcification, the processing programmes, embedding and trimming.

Spec 6 "30 Processing", 11.C4, 11.C7, 11.C11, 11.C16.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from hospital_twin.model.entities import (
    BONE_STATION,
    DECALC_OVEN,
    LARGE,
    MEGA,
    SMALL,
    STAMP,
    URGENT,
    Specimen,
)
from hospital_twin.model.flow import Batch, Job, collate, machine_cycle

if TYPE_CHECKING:
    from hospital_twin.model.lab import Lab

#: The four programmes; each has its own batcher and is never mixed (11.C11).
URGENT_PROGRAMME = "Processing machine (urgent)"
PROGRAMME_BY_BLOCK = {
    SMALL: "Processing machine (small surgicals)",
    LARGE: "Processing machine (large surgicals)",
    MEGA: "Processing machine (megas)",
}
PROGRAMMES: tuple[str, ...] = (URGENT_PROGRAMME, *PROGRAMME_BY_BLOCK.values())
START, END = STAMP["processing_start"], STAMP["processing_end"]


def arrive(lab: Lab, specimen: Specimen) -> None:
    """The specimen's blocks are unloaded at processing; decalcify them if drawn so."""
    s = specimen
    s.stamps[START] = lab.env.now
    s.pending = s.num_blocks
    if s.decalc == BONE_STATION:
        lab.bone_station.put(s, s.num_blocks, s.priority)
    elif s.decalc == DECALC_OVEN:
        for _ in range(s.num_blocks):
            Job(decalc_in_oven(lab, s), lab.env)
    else:
        to_programme(lab, s, s.num_blocks)


def decalc_in_bone_station(lab: Lab, batch: Batch) -> Generator[simpy.Event | None, object, None]:
    """A batch of blocks on a bone station: BMS loads, the station decalcifies, BMS unloads."""
    yield from machine_cycle(
        lab, lab.bms, lab.bone_station_machine, batch.priority,
        "Load bone station", "Decalc", "Unload bone station",
    )
    for specimen, n in batch.items:
        to_programme(lab, specimen, n)


def decalc_in_oven(lab: Lab, s: Specimen) -> Generator[simpy.Event | None, object, None]:
    """One block in the decalc oven (not a limited resource): BMS loads and unloads it."""
    yield lab.work((lab.bms,), s.priority, "Load into decalc oven")
    lab.release(lab.bms)
    yield lab.hold(lab.draw("Decalc"))
    yield lab.work((lab.bms,), s.priority, "Unload from decalc oven")
    lab.release(lab.bms)
    to_programme(lab, s, 1)


def to_programme(lab: Lab, s: Specimen, n: int) -> None:
    """Urgent blocks of any type to the urgent programme; others by block type (11.C11)."""
    programme = URGENT_PROGRAMME if s.priority == URGENT else PROGRAMME_BY_BLOCK[s.block_type]
    lab.programmes[programme].put(s, n, s.priority)


def run_programme(
    lab: Lab, batch: Batch, programme: str
) -> Generator[simpy.Event | None, object, None]:
    """One processing-machine run, then every block is embedded and trimmed on its own."""
    yield from machine_cycle(
        lab, lab.processing_staff, lab.processing_machine, batch.priority,
        "Load processing machine", programme, "Unload processing machine",
    )
    for specimen, n in batch.items:
        for _ in range(n):
            Job(embed_and_trim(lab, specimen), lab.env)


def embed_and_trim(lab: Lab, s: Specimen) -> Generator[simpy.Event | None, object, None]:
    """Embed (staff), cool down (no resource), trim (staff); then collate the block (11.C7)."""
    staff = lab.processing_staff
    yield lab.work((staff,), s.priority, "Embedding")
    lab.release(staff)
    yield lab.hold(lab.draw("Embedding (cooldown)"))
    yield lab.work((staff,), s.priority, "Block trimming")
    lab.release(staff)
    collate(lab, s, 1, finish)


def finish(lab: Lab, s: Specimen) -> None:
    """All blocks are back: processing ends; the specimen goes to microtomy."""
    s.stamps[END] = lab.env.now
    lab.to_microtomy.send(s)
