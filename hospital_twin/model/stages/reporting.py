"""Stage 90, reporting: assign a histopathologist, who writes the report (11.C18)."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from hospital_twin.model.entities import STAMP, Specimen
from hospital_twin.model.flow import Job

if TYPE_CHECKING:
    from hospital_twin.model.lab import Lab

START, END = STAMP["report_start"], STAMP["report_end"]


def arrive(lab: Lab, specimen: Specimen) -> None:
    """Reporting starts when QC ends (no delivery between them)."""
    specimen.stamps[START] = lab.env.now
    Job(report(lab, specimen), lab.env)


def report(lab: Lab, s: Specimen) -> Generator[simpy.Event | None, object, None]:
    """QC staff assign a histopathologist, who writes the report; the specimen is done."""
    yield lab.work((lab.qc_staff,), s.priority, "Assign histopathologist")
    lab.release(lab.qc_staff)
    yield lab.work((lab.histopathologist,), s.priority, "Write histopathological report")
    lab.release(lab.histopathologist)
    s.stamps[END] = lab.env.now
    lab.complete(s)
