"""Stage 70, scanning: slides are scanned in batches; the specimen is collated (11.C12)."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from hospital_twin.model.entities import STAMP, Specimen
from hospital_twin.model.flow import Batch, collate, machine_cycle

if TYPE_CHECKING:
    from hospital_twin.model.lab import Lab

START, END = STAMP["scanning_start"], STAMP["scanning_end"]


def arrive(lab: Lab, specimen: Specimen) -> None:
    """The specimen's slides are unloaded at scanning and join the batch of their scanner."""
    s = specimen
    s.stamps[START] = lab.env.now
    s.pending = s.num_slides
    line = lab.scanning_megas if s.mega_slides else lab.scanning_regular
    line.put(s, s.num_slides, s.priority)


def scan_regular(lab: Lab, batch: Batch) -> Generator[simpy.Event | None, object, None]:
    """Levels, serials and larges on a regular scanner."""
    yield from machine_cycle(
        lab, lab.scanning_staff, lab.scanner_regular, batch.priority,
        "Load scanning machine (regular)", "Scanning (regular)",
        "Unload scanning machine (regular)",
    )
    for specimen, n in batch.items:
        collate(lab, specimen, n, finish)


def scan_megas(lab: Lab, batch: Batch) -> Generator[simpy.Event | None, object, None]:
    """Mega slides on the mega scanner."""
    yield from machine_cycle(
        lab, lab.scanning_staff, lab.scanner_megas, batch.priority,
        "Load scanning machine (megas)", "Scanning (megas)",
        "Unload scanning machine (megas)",
    )
    for specimen, n in batch.items:
        collate(lab, specimen, n, finish)


def finish(lab: Lab, s: Specimen) -> None:
    """All slides are scanned: scanning ends; the specimen goes to QC."""
    s.stamps[END] = lab.env.now
    lab.to_qc.send(s)
