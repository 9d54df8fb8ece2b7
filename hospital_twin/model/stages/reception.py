"""Stage 10, reception: receive and sort, then book the specimen in (spec 6, 11.C2)."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from hospital_twin.model.entities import EASY, EXTERNAL, HARD, STAMP, URGENT, Specimen
from hospital_twin.model.flow import Job

if TYPE_CHECKING:
    from hospital_twin.model.lab import Lab

INVESTIGATION_TASK = {
    EASY: "Booking-in investigation (internal, easy)",
    HARD: "Booking-in investigation (internal, hard)",
    EXTERNAL: "Booking-in investigation (external)",
}
START, END = STAMP["reception_start"], STAMP["reception_end"]


def arrive(lab: Lab, specimen: Specimen) -> None:
    """A specimen arrives at the lab: reception starts."""
    specimen.stamps[START] = lab.env.now
    Job(receive_and_book_in(lab, specimen), lab.env)


def receive_and_book_in(lab: Lab, s: Specimen) -> Generator[simpy.Event | None, object, None]:
    """Receive and sort, book in, then send the specimen on to cut-up."""
    staff = lab.booking_in_staff

    # Receiving always comes first: one booking-in unit at Urgent priority.
    yield lab.work((staff,), URGENT, "Receive and sort")
    lab.release(staff)

    # Booking-in at the specimen's own priority, one unit held for the whole sequence.
    yield lab.work((staff,), s.priority, lambda: booking_in_hours(lab, s))
    lab.release(staff)

    s.stamps[END] = lab.env.now
    lab.to_cutup.send(s)


def booking_in_hours(lab: Lab, s: Specimen) -> float:
    """Pre-booking investigation (sometimes), booking-in by source, then an investigation
    (internal: easy or hard; external: external), one after another."""
    hours = lab.draw("Pre-booking-in investigation") if s.prebook else 0.0
    hours += lab.draw("Booking-in (internal)" if s.internal else "Booking-in (external)")
    if s.investigation in INVESTIGATION_TASK:
        hours += lab.draw(INVESTIGATION_TASK[s.investigation])
    return hours
