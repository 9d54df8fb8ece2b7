"""Stage 80, block and quality check: lab work ends here (lab TAT)."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from hospital_twin.model.entities import STAMP, Specimen
from hospital_twin.model.flow import Job
from hospital_twin.model.stages import reporting

if TYPE_CHECKING:
    from hospital_twin.model.lab import Lab

START, END = STAMP["qc_start"], STAMP["qc_end"]


def arrive(lab: Lab, specimen: Specimen) -> None:
    """The specimen is unloaded at QC."""
    specimen.stamps[START] = lab.env.now
    Job(check(lab, specimen), lab.env)


def check(lab: Lab, s: Specimen) -> Generator[simpy.Event | None, object, None]:
    """A QC staff unit does the block and quality check; reporting follows directly."""
    yield lab.work((lab.qc_staff,), s.priority, "Block and quality check")
    lab.release(lab.qc_staff)
    s.stamps[END] = lab.env.now
    reporting.arrive(lab, s)
