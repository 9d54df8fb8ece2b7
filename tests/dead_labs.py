"""Four workbooks of labs that cannot work (issue 17), shared by the config, CLI, API and
dashboard tests (imported as ``dead_labs``): each with the warning it must give."""

from __future__ import annotations

import io
from collections.abc import Callable

from hospital_twin.config import LabConfig, default_config, write_workbook


def _zero_resource(name: str) -> Callable[[dict], None]:
    def edit(data: dict) -> None:
        data["resources"][name]["half_hour_units"] = [0] * 48
    return edit


def _off_all_week(name: str) -> Callable[[dict], None]:
    def edit(data: dict) -> None:
        data["resources"][name]["working_days"] = [False] * 7
    return edit


def _no_arrivals(data: dict) -> None:
    data["arrivals"] = {"cancer": [0.0] * 168, "noncancer": [0.0] * 168}


#: name → (edit of the bundled lab's JSON, the warning it must give)
DEAD_LABS: dict[str, tuple[Callable[[dict], None], str]] = {
    "no-staining-machine": (_zero_resource("Staining machine"),
                            "Staining machine has no capacity at any time: "
                            "no specimen can pass staining"),
    "no-booking-in": (_off_all_week("Booking-in staff"),
                      "Booking-in staff has no capacity at any time: "
                      "no specimen can pass reception"),
    "no-arrivals": (_no_arrivals, "No specimens arrive at any hour of the week"),
    "no-histopathologist": (_zero_resource("Histopathologist"),
                            "Histopathologist has no capacity at any time: "
                            "no specimen can be reported"),
}


def dead_config(name: str) -> LabConfig:
    """The bundled lab with the named fault."""
    data = default_config().model_dump(mode="json")
    DEAD_LABS[name][0](data)
    return LabConfig.model_validate(data)


def dead_workbook(name: str) -> bytes:
    """The bundled lab with the named fault, as an .xlsx workbook."""
    buf = io.BytesIO()
    write_workbook(dead_config(name), buf)
    return buf.getvalue()
