"""Stage 50, staining and coverslipping: regular and mega lines (spec 6, 11.C9)."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from hospital_twin.model.entities import STAMP, Specimen
from hospital_twin.model.flow import Batch, collate, held_until_unloaded, machine_cycle

if TYPE_CHECKING:
    from hospital_twin.model.lab import Lab

START, END = STAMP["staining_start"], STAMP["staining_end"]


def arrive(lab: Lab, specimen: Specimen) -> None:
    """The specimen's slides are unloaded at staining and join the batch of their line."""
    s = specimen
    s.stamps[START] = lab.env.now
    s.pending = s.num_slides
    line = lab.staining_megas if s.mega_slides else lab.staining_regular
    line.put(s, s.num_slides, s.priority)


def stain_regular(lab: Lab, batch: Batch) -> Generator[simpy.Event | None, object, None]:
    """Stain on a staining machine, then coverslip on a coverslip machine (both batch-wise)."""
    staff = lab.staining_staff
    yield from machine_cycle(
        lab, staff, lab.staining_machine, batch.priority,
        "Load staining machine (regular)", "Staining (regular)",
        "Unload staining machine (regular)",
    )
    yield from machine_cycle(
        lab, staff, lab.coverslip_machine, batch.priority,
        "Load coverslip machine (regular)", "Coverslipping (regular)",
        "Unload coverslip machine (regular)",
    )
    for specimen, n in batch.items:
        collate(lab, specimen, n, finish)


def stain_megas(lab: Lab, batch: Batch) -> Generator[simpy.Event | None, object, None]:
    """Stain on a staining machine; the unit that unloads then coverslips each slide by hand."""
    staff, machine = lab.staining_staff, lab.staining_machine
    yield lab.work((staff, machine), batch.priority, "Load staining machine (megas)")
    lab.release(staff)
    yield lab.hold(lab.draw("Staining (megas)"))
    yield lab.work((staff,), batch.priority,
                   held_until_unloaded(lab, machine, "Unload staining machine (megas)"))
    lab.release(machine)  # the staff unit stays to coverslip by hand
    for specimen, n in batch.items:
        for _ in range(n):
            yield lab.hold(lab.draw("Coverslipping (megas)"))
            collate(lab, specimen, 1, finish)
    lab.release(staff)


def finish(lab: Lab, s: Specimen) -> None:
    """All slides are back: staining ends; the specimen goes to labelling."""
    s.stamps[END] = lab.env.now
    lab.to_labelling.send(s)
