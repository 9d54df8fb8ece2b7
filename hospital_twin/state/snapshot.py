"""The lab's state at a moment: one row per specimen in the lab (CSV or JSON), validated.

Columns: ``specimen_id``, ``arrived_at`` (ISO date-time), ``pathway`` (cancer, noncancer),
``priority`` (Urgent, Priority, Cancer on the cancer pathway, Routine on the non-cancer
one), ``stage`` (the stage the specimen waits at or is in: reception, cutup, processing,
microtomy, staining, labelling, scanning, qc, report) and, optionally, ``blocks`` and
``slides`` (positive integers; drawn from the configuration when blank).

:func:`read_snapshot` checks everything and raises one :class:`ConfigError` listing every
problem with its file, row (the file's line number; the header is row 1) and column.
Nothing is returned on error, so nothing half-read is ever used or stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, PositiveInt

from hospital_twin.errors import ConfigError, ConfigProblem
from hospital_twin.model.output import STAGES

REQUIRED_COLUMNS: tuple[str, ...] = ("specimen_id", "arrived_at", "pathway", "priority", "stage")
OPTIONAL_COLUMNS: tuple[str, ...] = ("blocks", "slides")
PATHWAY_PRIORITIES: dict[str, tuple[str, ...]] = {
    "cancer": ("Urgent", "Priority", "Cancer"),
    "noncancer": ("Urgent", "Priority", "Routine"),
}
MAX_BYTES = 50_000_000


class SnapshotRow(BaseModel):
    """One specimen in the lab when the run starts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specimen_id: str
    arrived_at: dt.datetime
    pathway: Literal["cancer", "noncancer"]
    priority: Literal["Urgent", "Priority", "Cancer", "Routine"]
    stage: Literal[
        "reception", "cutup", "processing", "microtomy", "staining", "labelling", "scanning",
        "qc", "report",
    ]
    blocks: PositiveInt | None = None
    slides: PositiveInt | None = None


assert tuple(SnapshotRow.model_fields["stage"].annotation.__args__) == STAGES


class _Problems:
    def __init__(self, label: str) -> None:
        self.label = label
        self.items: list[ConfigProblem] = []

    def add(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self.items.append(ConfigProblem(
            message, row=None if row is None else str(row), column=column,
        ))

    def raise_if_any(self) -> None:
        if self.items:
            ordered = sorted(self.items, key=lambda p: int(p.row) if p.row else 0)
            raise ConfigError(ordered, source=self.label)


def read_snapshot(
    source: str | Path | bytes, *, start: dt.datetime, name: str | None = None
) -> list[SnapshotRow]:
    """Read and check a snapshot (.csv or .json; bytes are sniffed) taken at ``start``."""
    label = name or (Path(source).name if isinstance(source, str | Path) else "snapshot")
    problems = _Problems(label)
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise ConfigError(f"file not found: {path}", source=label)
        if path.stat().st_size > MAX_BYTES:
            raise ConfigError(f"the file is larger than {MAX_BYTES // 1_000_000} MB",
                              source=label)
        data = path.read_bytes()
    else:
        data = bytes(source)
    records = _records(data, label, problems)
    if not records:
        problems.raise_if_any()
    rows = _validate(records, start, problems)
    problems.raise_if_any()
    return rows


def _records(data: bytes, label: str, problems: _Problems) -> list[tuple[int, dict]]:
    """(row number, raw fields) of every specimen, or problems saying why there are none."""
    if not data.strip():
        problems.add("the file is empty; expected a header row "
                     f"({', '.join(REQUIRED_COLUMNS)}) and one row per specimen")
        return []
    if data[:4] == b"PK\x03\x04":
        problems.add("this is a zip file (an Excel workbook?), not CSV or JSON; "
                     "save the sheet as CSV (UTF-8)")
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(f"not a CSV text file: byte {exc.start} is not UTF-8 text "
                     "(save the snapshot as CSV UTF-8)")
        return []
    if "\x00" in text:
        problems.add("not a CSV text file: it contains binary (NUL) characters")
        return []
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")) or label.lower().endswith(".json"):
        return _json_records(stripped, problems)
    return _csv_records(text, problems)


def _json_records(text: str, problems: _Problems) -> list[tuple[int, dict]]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.add(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
        return []
    if isinstance(value, dict) and isinstance(value.get("specimens"), list):
        value = value["specimens"]
    if not isinstance(value, list):
        problems.add('expected a JSON list of specimens (or {"specimens": [...]})')
        return []
    if not value:
        problems.add("the snapshot lists no specimens")
        return []
    records = []
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            problems.add(f"expected an object with the specimen's fields, got {item!r}", index)
            continue
        unknown = sorted(set(item) - set(REQUIRED_COLUMNS) - set(OPTIONAL_COLUMNS))
        if unknown:
            problems.add(f"unknown field(s) {', '.join(unknown)}", index)
        records.append((index, {k: item.get(k) for k in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}))
    return records


def _csv_records(text: str, problems: _Problems) -> list[tuple[int, dict]]:
    try:
        table = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        problems.add(f"not a readable CSV file: {exc}")
        return []
    header = [h.strip() for h in table[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if len(header) == 1 and missing and (";" in table[0][0] or "\t" in table[0][0]):
        problems.add("the header has one column only: the file uses another separator "
                     "than commas; save it as comma-separated CSV", 1)
        return []
    for column in missing:
        problems.add(f'missing column "{column}"', 1, column)
    for column in unknown:
        problems.add(f'unknown column "{column}"; expected '
                     f"{', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}", 1, column)
    duplicated = sorted({h for h in header if header.count(h) > 1})
    for column in duplicated:
        problems.add(f'column "{column}" appears twice', 1, column)
    if missing or unknown or duplicated:
        return []
    records = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.add(f"expected {len(header)} values, got {len(cells)}", number)
            continue
        records.append((number, {h: (c.strip() or None) for h, c in zip(header, cells,
                                                                      strict=True)}))
    if not records:
        problems.add("the snapshot has a header but no specimens")
    return records


def _validate(records: list[tuple[int, dict]], start: dt.datetime,
              problems: _Problems) -> list[SnapshotRow]:
    rows: list[SnapshotRow] = []
    first_row: dict[str, int] = {}
    for number, raw in records:
        before = len(problems.items)
        fields: dict[str, Any] = {}
        for column in REQUIRED_COLUMNS:
            value = raw.get(column)
            if value is None:
                problems.add("a value is required here", number, column)
            else:
                fields[column] = value
        if "specimen_id" in fields:
            sid = str(fields["specimen_id"])
            if sid in first_row:
                problems.add(f'duplicate specimen_id "{sid}" (first on row '
                             f"{first_row[sid]})", number, "specimen_id")
            else:
                first_row[sid] = number
            fields["specimen_id"] = sid
        if "arrived_at" in fields:
            arrived = _datetime(fields["arrived_at"])
            if arrived is None:
                problems.add(f"{fields['arrived_at']!r} is not an ISO date-time "
                             "(e.g. 2026-12-04T09:30)", number, "arrived_at")
            elif arrived > start:
                problems.add(f"arrived_at {arrived.isoformat(sep=' ')} is after the snapshot "
                             f"time {start.isoformat(sep=' ')}", number, "arrived_at")
            fields["arrived_at"] = arrived
        pathway = fields.get("pathway")
        if pathway is not None and pathway not in PATHWAY_PRIORITIES:
            problems.add(f"unknown pathway {pathway!r}; expected cancer or noncancer",
                         number, "pathway")
        priority = fields.get("priority")
        if priority is not None and pathway in PATHWAY_PRIORITIES:
            allowed = PATHWAY_PRIORITIES[pathway]
            if priority not in allowed:
                problems.add(f"unknown priority {priority!r} on the {pathway} pathway; "
                             f"expected {', '.join(allowed)}", number, "priority")
        stage = fields.get("stage")
        if stage is not None and stage not in STAGES:
            problems.add(f"unknown stage {stage!r}; expected {', '.join(STAGES)}",
                         number, "stage")
        for column in OPTIONAL_COLUMNS:
            value = raw.get(column)
            if value is None:
                continue
            count = _count(value)
            if count is None or count < 1:
                problems.add(f"{column} must be a whole number of at least 1, got {value!r}",
                             number, column)
            else:
                fields[column] = count
        if (isinstance(fields.get("blocks"), int) and isinstance(fields.get("slides"), int)
                and fields["slides"] < fields["blocks"]):
            problems.add(f"{fields['slides']} slides for {fields['blocks']} blocks: every "
                         "block has at least one slide", number, "slides")
        if len(problems.items) == before:
            rows.append(SnapshotRow(**fields))
    return rows


def _datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() else None
    return None


def write_snapshot_csv(rows: list[SnapshotRow], destination: str | Path) -> None:
    """Write rows as a snapshot CSV (the format :func:`read_snapshot` reads)."""
    with open(destination, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
        for r in rows:
            writer.writerow([r.specimen_id, r.arrived_at.isoformat(timespec="minutes"),
                             r.pathway, r.priority, r.stage,
                             "" if r.blocks is None else r.blocks,
                             "" if r.slides is None else r.slides])
