"""The LIMS event-log format: one CSV row per specimen with a timestamp per lab step.

This is the data every histopathology lab can export from its laboratory information system
(LIMS). :class:`EventLogRow` is the normative description of one row (its JSON Schema is
:func:`event_log_json_schema`); :mod:`hospital_twin.lims.reader` checks whole files against
the same rules, vectorised, and reports every problem at once.

Times are local wall-clock ISO 8601 date-times without a time-zone offset
(``2024-01-08T09:30:00``; a space instead of ``T`` and a missing seconds part are
accepted). A blank step means it had not happened by the export; once a step is blank every
later step is blank too, and the given steps never go back in time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, model_validator

#: The timestamp columns, in the order the steps happen.
STEP_COLUMNS: tuple[str, ...] = (
    "received",
    "cutup_end",
    "processing_end",
    "microtomy_end",
    "staining_end",
    "scanning_end",
    "qc_end",
    "reported",
)
#: Columns every event log must have.
REQUIRED_COLUMNS: tuple[str, ...] = ("specimen_id", "pathway", "priority") + STEP_COLUMNS
#: Columns a log may have; other columns are ignored.
OPTIONAL_COLUMNS: tuple[str, ...] = ("blocks", "slides", "source")
#: The column order the twin writes.
COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

#: Which model stamp each step column is (``hospital_twin.model.output`` columns).
MODEL_STAMP: dict[str, str] = {
    "received": "reception_start",
    "cutup_end": "cutup_end",
    "processing_end": "processing_end",
    "microtomy_end": "microtomy_end",
    "staining_end": "staining_end",
    "scanning_end": "scanning_end",
    "qc_end": "qc_end",
    "reported": "report_end",
}

PATHWAYS: tuple[str, ...] = ("cancer", "noncancer")
PRIORITIES: tuple[str, ...] = ("Urgent", "Priority", "Cancer", "Routine")
SOURCES: tuple[str, ...] = ("Internal", "External")

#: The model's week, and so an exported log's default start, begins on a Monday at 00:00.
DEFAULT_START = dt.datetime(2024, 1, 1)  # a Monday


def normalise_pathway(text: str) -> str | None:
    """``cancer`` / ``noncancer`` from any spelling (``Non-cancer``, ``NON_CANCER``), else None."""
    key = "".join(ch for ch in str(text).lower() if ch.isalnum())
    return key if key in PATHWAYS else None


def normalise_choice(text: str, choices: tuple[str, ...]) -> str | None:
    """The choice equal to ``text`` ignoring case and surrounding spaces, else None."""
    key = str(text).strip().lower()
    return next((c for c in choices if c.lower() == key), None)


class EventLogRow(BaseModel):
    """One specimen of a LIMS event log (one CSV row)."""

    model_config = ConfigDict(extra="ignore")

    specimen_id: str = Field(min_length=1, description="unique within the log")
    pathway: Literal["cancer", "noncancer"] = Field(
        description="clinical pathway ('Non-cancer' and other spellings are accepted)")
    priority: Literal["Urgent", "Priority", "Cancer", "Routine"] = Field(
        description="priority at booking-in (case is ignored)")
    received: dt.datetime = Field(description="booked in at reception")
    cutup_end: dt.datetime | None = Field(None, description="cut-up done (blocks made)")
    processing_end: dt.datetime | None = Field(None, description="tissue processing done")
    microtomy_end: dt.datetime | None = Field(None, description="all slides cut")
    staining_end: dt.datetime | None = Field(None, description="all slides stained")
    scanning_end: dt.datetime | None = Field(None, description="all slides scanned")
    qc_end: dt.datetime | None = Field(None, description="quality check done: lab work ends")
    reported: dt.datetime | None = Field(None, description="report authorised")
    blocks: NonNegativeInt | None = Field(None, description="blocks cut from the specimen")
    slides: NonNegativeInt | None = Field(None, description="slides cut from its blocks")
    source: Literal["Internal", "External"] | None = Field(
        None, description="where the specimen came from")

    @model_validator(mode="before")
    @classmethod
    def _spellings(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = {k: (None if v == "" else v) for k, v in data.items()}
            if isinstance(data.get("pathway"), str):
                data["pathway"] = normalise_pathway(data["pathway"]) or data["pathway"]
            if isinstance(data.get("priority"), str):
                data["priority"] = normalise_choice(data["priority"], PRIORITIES) or \
                    data["priority"]
            if isinstance(data.get("source"), str):
                data["source"] = normalise_choice(data["source"], SOURCES) or data["source"]
        return data

    @model_validator(mode="after")
    def _in_order(self) -> EventLogRow:
        previous_name, previous = "received", self.received
        for name in STEP_COLUMNS[1:]:
            value = getattr(self, name)
            if value is None:
                previous_name, previous = name, None
                continue
            if previous is None:
                raise ValueError(f"{name} is given but the earlier step {previous_name} is blank")
            if value < previous:
                raise ValueError(f"{name} ({value}) is before {previous_name} ({previous})")
            previous_name, previous = name, value
        return self


def event_log_json_schema() -> dict[str, Any]:
    """The JSON Schema of one event-log row (as published in the docs)."""
    return EventLogRow.model_json_schema()
