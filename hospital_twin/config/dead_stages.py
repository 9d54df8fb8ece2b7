"""Warnings for a lab that cannot work: a configuration can be valid and still leave a stage
that no specimen can ever pass (a resource rostered at zero all week, a staff and machine
pair never on at the same time) or have nothing to simulate (no arrivals at all).

These are **warnings**, separate from errors: the run still goes ahead if the user wants it
(a lab with no histopathologist is a valid what-if: everything queues for reporting), but
``config validate``, the API's reply and the dashboard's Run tab say so plainly.
"""

from __future__ import annotations

from hospital_twin.config.models import LabConfig

#: What a resource rostered at zero all week stops, and the routing probabilities (all of
#: them zero: no specimen is sent there, so nothing is stopped) that make it matter.
_STOPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Booking-in staff": ("no specimen can pass reception (receiving and booking-in)", ()),
    "BMS": ("no specimen sent to BMS cut-up, and no block needing decalcification, can pass",
            ("prob_bms_cutup", "prob_bms_cutup_urgent", "prob_decalc_bone",
             "prob_decalc_oven")),
    "Cut-up assistant": ("no specimen sent to pool or large-specimen cut-up can pass cut-up",
                         ("prob_pool_cutup", "prob_pool_cutup_urgent", "prob_large_cutup",
                          "prob_large_cutup_urgent")),
    "Processing room staff": ("no specimen can pass processing", ()),
    "Microtomy staff": ("no specimen can pass microtomy or labelling", ()),
    "Staining staff": ("no specimen can pass staining", ()),
    "Scanning staff": ("no specimen can pass scanning", ()),
    "QC staff": ("no specimen can pass QC, and none can be assigned for reporting", ()),
    "Histopathologist": ("no specimen can be reported (overall TAT has no specimens; lab "
                         "KPIs are still meaningful)", ()),
    "Bone station": ("no block sent to the bone station (ProbDecalcBone) can pass processing",
                     ("prob_decalc_bone",)),
    "Processing machine": ("no specimen can pass processing", ()),
    "Staining machine": ("no specimen can pass staining", ()),
    "Coverslip machine": ("no specimen with regular slides can pass staining", ()),
    "Scanning machine (regular)": ("no specimen with regular slides can pass scanning", ()),
    "Scanning machine (megas)": ("no specimen with mega blocks can pass scanning",
                                 ("prob_mega_blocks",)),
}

#: Staff and machine taken together (atomically) to load a machine.
_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("BMS", "Bone station", "processing (bone station)"),
    ("Processing room staff", "Processing machine", "processing"),
    ("Staining staff", "Staining machine", "staining"),
    ("Staining staff", "Coverslip machine", "staining (coverslipping)"),
    ("Scanning staff", "Scanning machine (regular)", "scanning"),
    ("Scanning staff", "Scanning machine (megas)", "scanning (megas)"),
)


def _needed(config: LabConfig, probabilities: tuple[str, ...]) -> bool:
    return not probabilities or any(getattr(config.globals, p) > 0 for p in probabilities)


def config_warnings(config: LabConfig) -> list[str]:
    """Every reason the lab of ``config`` cannot work, as plain sentences (empty: none)."""
    found: list[str] = []
    if sum(config.expected_weekly_arrivals().values()) <= 0:
        found.append("No specimens arrive at any hour of the week (both arrival schedules "
                     "are zero): the run has nothing to simulate")
    capacity = {name: r.weekly_capacity() for name, r in config.resources.items()}
    idle = {name for name, units in capacity.items() if not any(units)}
    for name in config.resources:
        stops, probabilities = _STOPS.get(name, ("its stage cannot work", ()))
        if name in idle and _needed(config, probabilities):
            found.append(f"{name} has no capacity at any time: {stops}")
    for staff, machine, stage in _PAIRS:
        if staff in idle or machine in idle:
            continue
        _stops, probabilities = _STOPS[machine]
        together = any(s and m for s, m in zip(capacity[staff], capacity[machine], strict=True))
        if not together and _needed(config, probabilities):
            found.append(f"{staff} and {machine} are never available in the same half hour: "
                         f"no machine can be loaded, so no specimen can pass {stage}")
    return found
