"""Read and check a LIMS event-log CSV, reporting every problem with its row and column.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first specimen row 2.
All checks run on whole columns at once, so a year's log (about 77,000 rows) is read in about
a second; a bad log raises :class:`EventLogError` listing every problem found (up to
:data:`MAX_PROBLEMS`, then a count of the rest).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from hospital_twin.errors import ConfigError, ConfigProblem
from hospital_twin.lims.format import (
    OPTIONAL_COLUMNS,
    PRIORITIES,
    REQUIRED_COLUMNS,
    SOURCES,
    STEP_COLUMNS,
    normalise_choice,
    normalise_pathway,
)

#: Problems listed one by one before the rest are only counted.
MAX_PROBLEMS = 200
_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$", re.IGNORECASE)
_EXAMPLE = "2024-01-08T09:30:00"


class EventLogError(ConfigError):
    """An event log is not valid; ``problems`` names the row and column of each fault."""


@dataclass
class EventLog:
    """A checked event log: one row per specimen, step columns as ``datetime64`` (NaT = blank).

    ``pathway`` is ``cancer``/``noncancer``, ``priority`` one of ``PRIORITIES``, ``source``
    ``Internal``/``External`` or missing, ``blocks``/``slides`` floats (NaN = not given).
    """

    frame: pd.DataFrame
    source: str = ""

    @property
    def start(self) -> pd.Timestamp:
        """The first reception in the log."""
        return self.frame["received"].min()

    @property
    def export_time(self) -> pd.Timestamp:
        """The latest timestamp of any step: the best evidence of when the log was exported."""
        return max(self.frame[c].max() for c in STEP_COLUMNS if self.frame[c].notna().any())

    def hours(self, column: str, origin: pd.Timestamp) -> np.ndarray:
        """A step column as hours since ``origin`` (NaN where blank)."""
        delta = self.frame[column] - origin
        return delta.dt.total_seconds().to_numpy(dtype=float, na_value=np.nan) / 3600

    def __len__(self) -> int:
        return len(self.frame)


class _Problems:
    """Collects problems; keeps the first MAX_PROBLEMS and counts the rest."""

    def __init__(self) -> None:
        self.items: list[ConfigProblem] = []
        self.more = 0

    def add(self, message: str, row: int | None = None, column: str | None = None) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(ConfigProblem(
                message, row=None if row is None else str(row), column=column))
        else:
            self.more += 1

    def add_rows(self, mask: np.ndarray, column: str, message, values: pd.Series) -> None:
        """One problem per row where ``mask`` holds; ``message(value, index)`` says what."""
        for index in np.flatnonzero(mask):
            self.add(message(values.iloc[index], index), row=int(index) + 2, column=column)

    def raise_if_any(self, source: str) -> None:
        if not self.items:
            return
        items = list(self.items)
        if self.more:
            items.append(ConfigProblem(f"... and {self.more} more problems not listed"))
        raise EventLogError(items, source=source)


def _text(source: str | Path | bytes | BinaryIO, name: str | None) -> tuple[str, str]:
    """The file's text and the name to report it under; not-a-CSV and empty files fail."""
    if isinstance(source, str | Path):
        path = Path(source)
        label = name or path.name
        if not path.is_file():
            raise EventLogError(f"file not found: {path}", source=label)
        data = path.read_bytes()
    elif isinstance(source, bytes | bytearray | memoryview):
        data, label = bytes(source), name or "event log"
    else:
        data, label = source.read(), name or getattr(source, "name", "event log")
    if not data.strip():
        raise EventLogError("the file is empty: expected a CSV header and one row per specimen",
                            source=label)
    if data[:4] == b"PK\x03\x04":
        raise EventLogError("not a CSV file: this looks like an Excel workbook or a zip "
                            "archive; export the LIMS data as CSV", source=label)
    if b"\x00" in data[:4096]:
        raise EventLogError("not a CSV file: it holds binary data", source=label)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), label
        except UnicodeDecodeError:
            continue
    raise EventLogError("not a text file in UTF-8 or Windows-1252", source=label)


def _table(text: str, label: str) -> pd.DataFrame:
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise EventLogError(f"not a readable CSV file: {str(exc).strip()}",
                            source=label) from None
    table.columns = [str(c).strip().lower() for c in table.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        header = ", ".join(table.columns) if len(table.columns) else "nothing"
        raise EventLogError([ConfigProblem(f"missing column (the header has: {header})",
                                           row="1", column=c) for c in missing], source=label)
    if table.empty:
        raise EventLogError("the file has a header but no specimen rows", source=label)
    return table


def _choices(table: pd.DataFrame, column: str, normalise, allowed: str,
             problems: _Problems, required: bool = True) -> pd.Series:
    raw = table[column].str.strip()
    mapping = {v: normalise(v) for v in raw.unique()}
    values = raw.map(mapping)
    bad = values.isna().to_numpy() & ((raw != "").to_numpy() | required)
    problems.add_rows(bad, column, lambda v, _i: (
        f"{column} is blank; expected one of {allowed}" if v == "" else
        f"unknown {column} {v!r}; expected one of {allowed}"), raw)
    return values


def _counts(table: pd.DataFrame, column: str, problems: _Problems) -> pd.Series:
    if column not in table.columns:
        return pd.Series(np.nan, index=table.index, dtype=float)
    raw = table[column].str.strip()
    numbers = pd.to_numeric(raw, errors="coerce")
    bad = (raw != "").to_numpy() & ~((numbers >= 0) & (numbers == np.floor(numbers))).to_numpy()
    problems.add_rows(bad, column, lambda v, _i: (
        f"expected a whole number >= 0 (or a blank), got {v!r}"), raw)
    return numbers.where(~bad).astype(float)


def _times(table: pd.DataFrame, column: str, problems: _Problems) -> pd.Series:
    raw = table[column].str.strip()
    given = (raw != "").to_numpy()
    offset = raw.str.contains(_OFFSET).to_numpy() & given
    parsed = pd.to_datetime(raw.where(given & ~offset), format="ISO8601", errors="coerce")
    problems.add_rows(offset, column, lambda v, _i: (
        f"time-zone offsets are not accepted, got {v!r}: give local wall-clock time "
        f"like {_EXAMPLE}"), raw)
    unreadable = given & ~offset & parsed.isna().to_numpy()
    problems.add_rows(unreadable, column, lambda v, _i: (
        f"cannot read {v!r} as a date-time; expected ISO 8601 like {_EXAMPLE}"), raw)
    if column == "received":
        problems.add_rows(~given, column, lambda _v, _i: (
            "received is blank; every specimen needs its reception time"), raw)
    return parsed.astype("datetime64[ns]")


def _check_order(times: dict[str, pd.Series], blank: dict[str, pd.Series],
                 problems: _Problems) -> None:
    """Later steps never before earlier ones; no step given after a blank one.

    ``blank`` marks empty cells; a cell that is given but unreadable (already reported)
    counts as given for the gap rule and is skipped by the order rule.
    """
    received = times["received"]
    last_name = pd.Series("received", index=received.index)
    last_time = received.copy()
    first_blank = pd.Series(np.where(blank["received"], "received", ""), index=received.index)
    for column in STEP_COLUMNS[1:]:
        value = times[column]
        given = ~blank[column]
        blank_before = first_blank != ""
        gap = (given & blank_before).to_numpy()
        problems.add_rows(gap, column, lambda _v, i, c=column, name=first_blank: (
            f"{c} is given but the earlier step {name.iloc[i]} is blank"), value)
        readable = value.notna() & ~blank_before
        early = (readable & (value < last_time)).to_numpy()
        problems.add_rows(early, column, lambda v, i, c=column, name=last_name, at=last_time: (
            f"{c} {v:%Y-%m-%d %H:%M:%S} is before {name.iloc[i]} "
            f"{at.iloc[i]:%Y-%m-%d %H:%M:%S}: steps out of order"), value)
        last_name = last_name.where(~readable, column)
        last_time = last_time.where(~readable, value)
        first_blank = first_blank.where(blank_before | given, column)


def _check_ids(ids: pd.Series, problems: _Problems) -> None:
    blank = (ids == "").to_numpy()
    problems.add_rows(blank, "specimen_id", lambda _v, _i: "specimen_id is blank", ids)
    duplicated = ids.duplicated(keep="first").to_numpy() & ~blank
    if duplicated.any():
        first = {v: i for i, v in reversed(list(enumerate(ids)))}
        problems.add_rows(duplicated, "specimen_id", lambda v, _i: (
            f"duplicate specimen_id {v!r} (first on row {first[v] + 2})"), ids)


def read_event_log(source: str | Path | bytes | BinaryIO, *, name: str | None = None
                   ) -> EventLog:
    """Read a LIMS event-log CSV (path, bytes or binary file) and check every row.

    Raises :class:`EventLogError` listing every problem (row, column, what is wrong).
    """
    text, label = _text(source, name)
    table = _table(text, label)
    problems = _Problems()
    ids = table["specimen_id"].str.strip()
    _check_ids(ids, problems)
    pathways = _choices(table, "pathway", normalise_pathway, "cancer, noncancer", problems)
    priorities = _choices(table, "priority", lambda v: normalise_choice(v, PRIORITIES),
                          ", ".join(PRIORITIES), problems)
    sources = (_choices(table, "source", lambda v: normalise_choice(v, SOURCES),
                        ", ".join(SOURCES), problems, required=False)
               if "source" in table.columns else pd.Series(None, index=table.index,
                                                           dtype=object))
    times = {c: _times(table, c, problems) for c in STEP_COLUMNS}
    blank = {c: table[c].str.strip() == "" for c in STEP_COLUMNS}
    _check_order(times, blank, problems)
    counts = {c: _counts(table, c, problems) for c in ("blocks", "slides")}
    problems.raise_if_any(label)
    frame = pd.DataFrame({"specimen_id": ids, "pathway": pathways, "priority": priorities,
                          **times, **counts, "source": sources})
    return EventLog(frame[list(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)], source=label)
