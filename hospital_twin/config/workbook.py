"""Read and write the hospital's configuration workbooks (2023 and 2024 layouts).

:func:`read_workbook` turns a workbook into a validated :class:`LabConfig`;
:func:`write_workbook` writes a :class:`LabConfig` back into a copy of the bundled
template of its layout. The rules are those of ``histopathology-model.md`` sections 7,
11.C17, 11.C29 and "Reading and writing the workbooks".

How the reader reports problems: it checks the *structure* itself (is it a workbook,
which layout, are the tables, columns, row labels and defined names there), and builds
a plain dict of the raw cell values plus a map from each pydantic error location, e.g.
``("task_durations", "Cut-up (BMS)", "low")``, to the workbook location it came from.
The dict is validated by :meth:`LabConfig.model_validate`, so every rule about *values*
lives in ``models.py`` only; each pydantic error becomes a :class:`ConfigProblem`
pointing at the sheet, table or defined name, row label, column and cell. All problems
of one workbook are raised together in one :class:`ConfigError`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import functools
import io
import math
import posixpath
import re
import threading
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from copy import copy
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree import ElementTree

import openpyxl
from openpyxl.cell import _writer as openpyxl_cell_writer
from openpyxl.compat import safe_string as _openpyxl_safe_string
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname, range_boundaries
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import TypeAdapter, ValidationError

from hospital_twin.config.calendar_sheet import read_calendar_sheet, write_calendar_sheet
from hospital_twin.config.labels import (
    BATCH_UNITS,
    BATCHES,
    DAYS,
    HALF_HOURS,
    HOURS_PER_WEEK,
    RESOURCES,
    RUNNER_JOURNEYS,
    TASKS,
    URGENT_PROCESSING_BATCH,
)
from hospital_twin.config.models import (
    BatchRelease,
    CountDistribution,
    GlobalParameters,
    LabConfig,
    RunnerTimes,
    RunSettings,
)
from hospital_twin.config.unpack_limits import check_unpacked_sizes
from hospital_twin.errors import ConfigError, ConfigProblem

__all__ = [
    "LAYOUTS",
    "MAX_FILE_BYTES",
    "default_config",
    "describe_error",
    "problems_from_validation_error",
    "read_workbook",
    "template_path",
    "write_workbook",
]

# -- layouts, sheets, tables and names -------------------------------------------------

LAYOUTS: tuple[str, ...] = ("2023", "2024")
TEMPLATE_FILES = {"2023": "cuh-config.xlsx", "2024": "cuh-config-2024.xlsx"}
LAYOUT_SHEETS = {"2023": "Resources", "2024": "Resource Allocation"}
LAYOUT_ERROR = (
    'expected sheet "Resources" (2023 layout) or "Resource Allocation" (2024 layout)'
)

#: Limits checked before openpyxl parses anything (a zip bomb never reaches the parser).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000

SHEET_ARRIVALS = "Arrival Schedules"
SHEET_TASKS = "Task Durations"
SHEET_BATCHES = "Batch Sizes"
SHEET_RUNNER = "Runner Times"
SHEET_RUNNER_OUTPUT = "Runner Times output"
SHEET_BATCH_RELEASE = "Batch Release"
SHEET_RUN = "Run Settings"

ARRIVAL_TABLES = {"cancer": "ArrivalScheduleCancer", "noncancer": "ArrivalScheduleNonCancer"}
TABLE_RESOURCES = "Resources"
TABLE_TASKS = "TaskDurations"
TABLE_BATCHES = "BatchSizes"
TABLE_RUNNER = "tableRunnerDistances"

COL_HOUR = "Hour"
COL_RESOURCE = "Resource"
COL_TASK = "Task"
COL_NOTE = "Note"
COL_BATCH = "Batch Name"
COL_SIZE = "Size"
COL_UNIT = "Unit"
COL_JOURNEY = "runner_journey"
COL_DISTANCE = "distance_m"
#: TaskDuration field -> TaskDurations column header.
TASK_COLUMNS = {
    "distribution": "Distribution",
    "low": "Optimistic",
    "mode": "Most Likely",
    "high": "Pessimistic",
    "unit": "Units",
}
TASK_ORDER_COLUMNS = "Optimistic, Most Likely, Pessimistic"
COUNT_PARTS = ("distribution", "low", "mode", "high")

#: RunnerTimes field -> defined name.
RUNNER_NAMES = {
    "speed_m_per_s": "runnerSpeed",
    "loading_time_s": "runnerLoadingTime",
    "unloading_time_s": "runnerUnloadingTime",
}
#: Optional name (either layout) for RunnerTimes.default_walk_s, written only when changed.
RUNNER_DEFAULT_WALK_NAME = "runnerDefaultWalkTime"

#: 2024 layout: the start time of each regular processing programme sits right of its
#: label on 'Processing Variables' (F5:F7 in the reference workbook, 11.C16 amended).
PROGRAMME_START_LABELS: dict[str, str] = {
    "processing_start_small": "Small surgicals",
    "processing_start_large": "Large surgicals",
    "processing_start_mega": "Megas",
}

_RECEPTION = "Reception Variables"
_CUTUP = "Cut-up Variables"
_PROCESSING = "Processing Variables"
_MICROTOMY = "Microtomy Variables"
#: The sheet each global defined name lives on (the same in both layouts).
NAME_SHEETS: dict[str, str] = {
    **dict.fromkeys(
        (
            "ProbUrgentCancer", "ProbPriorityCancer", "ProbRoutineCancer",
            "ProbUrgentNonCancer", "ProbPriorityNonCancer", "ProbRoutineNonCancer",
            "ProbInternal", "ProbPrebook", "ProbInvestEasy", "ProbInvestHard",
            "ProbInvestExternal",
        ),
        _RECEPTION,
    ),
    **dict.fromkeys(
        (
            "ProbBMSCutup", "ProbBMSCutupUrgent", "ProbPoolCutup", "ProbPoolCutupUrgent",
            "ProbLargeCutup", "ProbLargeCutupUrgent", "ProbMegaBlocks", "NumBlocksMega",
            "NumBlocksLargeSurgical",
        ),
        _CUTUP,
    ),
    **dict.fromkeys(("ProbDecalcBone", "ProbDecalcOven"), _PROCESSING),
    **dict.fromkeys(
        (
            "ProbMicrotomyLevels", "NumSlidesLevels", "NumSlidesSerials", "NumSlidesLarges",
            "NumSlidesMegas",
        ),
        _MICROTOMY,
    ),
    **dict.fromkeys((*RUNNER_NAMES.values(), RUNNER_DEFAULT_WALK_NAME), SHEET_RUNNER),
    **dict.fromkeys(BatchRelease.model_fields, SHEET_BATCH_RELEASE),
    **dict.fromkeys(RunSettings.model_fields, SHEET_RUN),
}
#: Where the writer puts an optional name that the template lacks (2024 has the
#: "Routine" cells but no names for them).
_FALLBACK_NAME_CELLS: dict[str, dict[str, tuple[str, str]]] = {
    "2024": {
        "ProbRoutineCancer": (_RECEPTION, "$D$5"),
        "ProbRoutineNonCancer": (_RECEPTION, "$D$6"),
    },
}
_ROUTINE_PARTS = {
    "ProbRoutineCancer": ("prob_urgent_cancer", "prob_priority_cancer"),
    "ProbRoutineNonCancer": ("prob_urgent_noncancer", "prob_priority_noncancer"),
}

_TIME_PATTERN_HINT = "a time HH:MM between 00:00 and 23:59"


# -- small helpers -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    """A place in a workbook (all parts optional)."""

    sheet: str | None = None
    table: str | None = None  # a table name, or "name X" for a defined name
    row: str | None = None
    column: str | None = None
    cell: str | None = None

    def problem(self, message: str) -> ConfigProblem:
        return ConfigProblem(message, self.sheet, self.table, self.row, self.column, self.cell)


def _name_table(name: str) -> str:
    """The ``ConfigProblem.table`` value for a defined name (rendered 'defined name "X"')."""
    return f"name {name}"


def _show(value: Any, blank: str = "a blank cell") -> str:
    """A value as a user sees it, for messages."""
    if value is None:
        return blank
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return f"'{value}'" if value else "an empty text"
    if isinstance(value, float):
        return format(value, ".12g")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return f"the date/time {value.isoformat()}"
    if isinstance(value, dict):
        return "a table of values"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} values"
    return repr(value)


def _path(loc: Iterable[Any]) -> str:
    return " > ".join(str(part) for part in loc)


def _is_probability(loc: tuple[Any, ...]) -> bool:
    return any(isinstance(part, str) and part.lower().startswith("prob") for part in loc)


def describe_error(error: dict[str, Any], *, blank: str = "a blank cell") -> str:
    """A human-readable message for one pydantic error (without its location)."""
    kind = error.get("type", "")
    value = error.get("input")
    ctx = error.get("ctx") or {}
    loc = tuple(error.get("loc", ()))
    got = _show(value, blank)
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "decimal_parsing",
                "decimal_type", "int_parsing_size"):
        return f"expected a number, got {got}"
    if kind == "int_from_float":
        return f"expected a whole number, got {got}"
    if kind == "finite_number":
        return f"expected a finite number, got {got}"
    if kind in ("greater_than_equal", "less_than_equal") and _is_probability(loc):
        return f"expected a probability between 0 and 1, got {got}"
    if kind == "greater_than_equal":
        return f"expected a number >= {_show(ctx.get('ge'))}, got {got}"
    if kind == "greater_than":
        return f"expected a number > {_show(ctx.get('gt'))}, got {got}"
    if kind == "less_than_equal":
        return f"expected a number <= {_show(ctx.get('le'))}, got {got}"
    if kind == "less_than":
        return f"expected a number < {_show(ctx.get('lt'))}, got {got}"
    if kind == "literal_error":
        return f"expected {ctx.get('expected')}, got {got}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected 1 or 0 (or TRUE/FALSE), got {got}"
    if kind == "string_pattern_mismatch":
        if loc and str(loc[-1]).startswith("processing_start"):
            return f"expected {_TIME_PATTERN_HINT}, got {got}"
        return f"expected text matching {ctx.get('pattern')}, got {got}"
    if kind == "string_type":
        return f"expected text, got {got}"
    if kind == "missing":
        return "a value is required here"
    if kind == "extra_forbidden":
        return "unknown key (not part of a lab configuration)"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected an object (key: value pairs), got {got}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {got}"
    if kind == "json_invalid":
        return f"invalid JSON: {ctx.get('error', error.get('msg'))}"
    if kind in ("value_error", "assertion_error"):
        message = str(ctx.get("error", error.get("msg", "")))
        return message.removeprefix("Value error, ")
    return str(error.get("msg", kind))


def problems_from_validation_error(exc: ValidationError) -> list[ConfigProblem]:
    """Pydantic errors of a non-workbook input (JSON) as problems with readable paths."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error.get("loc", ()))
        message = describe_error(error, blank="null")
        problems.append(ConfigProblem(f"{_path(loc)}: {message}" if loc else message))
    return problems


# -- getting the bytes and checking they are a workbook --------------------------------


def _source_name(source: object) -> str:
    if isinstance(source, str | Path):
        return Path(source).name
    name = getattr(source, "name", None)
    if isinstance(name, str) and name:
        return Path(name).name
    return "workbook"


def _fail(message: str, source: str) -> ConfigError:
    return ConfigError([ConfigProblem(message)], source=source)


def _read_source(source: str | Path | bytes | bytearray | memoryview | BinaryIO,
                 label: str) -> bytes:
    too_big = (
        f"the file is too large for a configuration workbook (more than "
        f"{MAX_FILE_BYTES // (1024 * 1024)} MB)"
    )
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise _fail(f"file not found: {path}", label)
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _fail(too_big, label)
        data = path.read_bytes()
    elif hasattr(source, "read"):
        data = source.read(MAX_FILE_BYTES + 1)
        if isinstance(data, str):
            raise _fail("expected a binary file (opened with 'rb'), got a text stream", label)
        data = bytes(data)
    else:
        raise TypeError(f"cannot read a workbook from {type(source).__name__}")
    if len(data) > MAX_FILE_BYTES:
        raise _fail(too_big, label)
    return data


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_WORKBOOK_CONTENT_TYPES = (
    b"spreadsheetml.sheet.main",
    b"spreadsheetml.template.main",
    b"ms-excel.sheet.macroenabled.main",
    b"ms-excel.template.macroenabled.main",
)


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return False
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = sample.decode("cp1252")
        except UnicodeDecodeError:
            return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable >= 0.95 * max(1, len(text))


def _check_container(data: bytes, label: str) -> None:
    """Reject everything that is not a plausible .xlsx before openpyxl parses it."""
    expected = "expected an Excel workbook (.xlsx)"
    if not data:
        raise _fail(f"the file is empty; {expected}", label)
    if data.startswith(_OLE_MAGIC):
        raise _fail(
            "this is an OLE2 compound file: a password-protected (encrypted) workbook or a "
            "legacy .xls file; remove the password, or save it in Excel as "
            "'Excel Workbook (*.xlsx)'",
            label,
        )
    if not data.startswith(_ZIP_MAGICS):
        if _looks_like_text(data):
            raise _fail(
                f"this is a text file (CSV or similar), not a workbook; {expected}", label
            )
        raise _fail(f"this is not an Excel workbook (unrecognised content); {expected}", label)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise _fail(
                    f"the workbook has {len(members)} parts, more than the "
                    f"{MAX_ZIP_MEMBERS} allowed",
                    label,
                )
            check_unpacked_sizes(members, label)
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names:
                shown = ", ".join(sorted(names)[:3]) or "nothing"
                raise _fail(
                    f"this is a zip archive, not an Excel workbook (it holds {shown}); "
                    f"{expected}",
                    label,
                )
            content_types = archive.read("[Content_Types].xml").lower()
    except zipfile.BadZipFile as exc:
        raise _fail(
            f"the file is damaged: it starts like a workbook but its zip structure is "
            f"corrupt ({exc}); {expected}",
            label,
        ) from exc
    if not any(kind in content_types for kind in _WORKBOOK_CONTENT_TYPES):
        raise _fail(
            "this is an Office file but not an Excel workbook (no spreadsheet part); "
            f"{expected}",
            label,
        )


def _open(data: bytes, label: str) -> Workbook:
    """The workbook with cached formula results (what the reader reads)."""
    _check_container(data, label)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # noqa: BLE001 - any parser failure is a bad input
        raise _fail(
            f"the workbook could not be read ({type(exc).__name__}: {exc}); "
            "expected an Excel workbook (.xlsx)",
            label,
        ) from exc


class _Formulas:
    """The formulas of a workbook, sheet by sheet on demand (to name uncached formulas).

    A cell without a cached value reads as blank; this tells a truly blank cell from a
    formula Excel never calculated. The sheet XML is scanned directly for ``<f>``
    elements, which is far cheaper than loading the workbook a second time.
    """

    def __init__(self, data: bytes):
        self._data = data
        self._parts: dict[str, str] | None = None
        self._sheets: dict[str, dict[tuple[int, int], str]] = {}

    def get(self, sheet: str, row: int, column: int) -> str | None:
        cells = self._sheets.get(sheet)
        if cells is None:
            cells = self._sheets[sheet] = self._scan(sheet)
        return cells.get((row, column))

    def _scan(self, sheet: str) -> dict[tuple[int, int], str]:
        try:
            return self._scan_xml(sheet)
        except Exception:  # noqa: BLE001 - an unusual package: let openpyxl find them
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                workbook = openpyxl.load_workbook(io.BytesIO(self._data), data_only=False)
            return {
                (cell.row, cell.column): str(getattr(cell.value, "text", cell.value))
                for row in workbook[sheet].iter_rows() for cell in row
                if cell.data_type == "f"
            }

    def _scan_xml(self, sheet: str) -> dict[tuple[int, int], str]:
        with zipfile.ZipFile(io.BytesIO(self._data)) as archive:
            if self._parts is None:
                self._parts = _sheet_parts(archive)
            part = self._parts.get(sheet)
            if part is None:
                return {}
            cells: dict[tuple[int, int], str] = {}
            with archive.open(part) as stream:
                for _, element in ElementTree.iterparse(stream, events=("end",)):
                    if _local(element.tag) != "c":
                        continue
                    formula = next((child for child in element
                                    if _local(child.tag) == "f"), None)
                    reference = element.get("r")
                    if formula is not None and reference:
                        text = formula.text or "(a shared formula)"
                        row, column = _row_column(reference)
                        cells[(row, column)] = text
                    element.clear()
            return cells


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _row_column(reference: str) -> tuple[int, int]:
    letters, row = coordinate_from_string(reference)
    return row, column_index_from_string(letters)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member holding that worksheet's XML."""

    def relationships(part: str) -> dict[str, tuple[str, str]]:
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", f"{name}.rels")
        result = {}
        for element in ElementTree.fromstring(archive.read(rels)).iter():
            if _local(element.tag) == "Relationship":
                target = element.get("Target", "")
                if target.startswith("/"):
                    target = target[1:]
                else:
                    target = posixpath.normpath(posixpath.join(folder, target))
                result[element.get("Id", "")] = (element.get("Type", ""), target)
        return result

    workbook_part = next(target for kind, target in relationships("").values()
                         if kind.endswith("/officeDocument"))
    targets = relationships(workbook_part)
    parts = {}
    for element in ElementTree.fromstring(archive.read(workbook_part)).iter():
        if _local(element.tag) == "sheet":
            rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            if rel_id in targets:
                parts[element.get("name", "")] = targets[rel_id][1]
    return parts


def _detect_layout(workbook: Workbook, label: str) -> str:
    found = [layout for layout, sheet in LAYOUT_SHEETS.items() if sheet in workbook.sheetnames]
    if len(found) != 1:
        raise _fail(LAYOUT_ERROR, label)
    return found[0]


# -- reading -----------------------------------------------------------------------------

_BAD = object()  # a cell whose problem is already reported


@dataclass
class _TableData:
    name: str
    sheet: str
    columns: dict[str, int]  # header -> worksheet column index
    rows: list[int]  # body rows, totals row excluded

    def coord(self, row: int, header: str) -> str:
        return f"{get_column_letter(self.columns[header])}{row}"


def _header_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _as_hour(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        hour = value
    elif isinstance(value, float) and value.is_integer():
        hour = int(value)
    else:
        return None
    return hour if 0 <= hour <= 23 else None


def _time_text(value: Any) -> Any:
    """Excel times (time objects or day fractions) as 'HH:MM' text; others unchanged."""
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, dt.time):
        seconds = round(value.hour * 3600 + value.minute * 60 + value.second
                        + value.microsecond / 1e6)
    elif isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1:
        seconds = round(value * 86400)
    else:
        return value
    if seconds % 60:
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}"


def _hint(label: str, known: Iterable[str]) -> str:
    known = list(known)
    for candidate in known:
        if candidate.lower() == label.lower():
            return f' (did you mean "{candidate}"? labels are case-sensitive)'
    close = difflib.get_close_matches(label, known, n=1, cutoff=0.75)
    return f' (did you mean "{close[0]}"?)' if close else ""


class _Reader:
    """Reads one opened workbook into a raw dict plus error locations, then validates."""

    def __init__(self, values: Workbook, formulas: _Formulas, layout: str, label: str):
        self.values = values
        self.formulas = formulas
        self.layout = layout
        self.label = label
        self.problems: list[ConfigProblem] = []
        self.where: dict[tuple[Any, ...], _Where] = {}
        self.skip_prefix: set[tuple[Any, ...]] = set()  # errors here are already reported
        self.skip_exact: set[tuple[Any, ...]] = set()
        self.relabelled: set[tuple[Any, ...]] = set()  # sections with row-label problems
        self.raw: dict[str, Any] = {"layout": layout}

    # ---- primitives
    def add(self, where: _Where, message: str) -> None:
        self.problems.append(where.problem(message))

    def reported(self, loc: tuple[Any, ...] | None) -> None:
        if loc is None:
            return
        self.skip_prefix.add(loc)
        if len(loc) >= 3:
            self.skip_exact.add(loc[:-1])

    def cell(self, sheet: str, row: int, column: int, where: _Where,
             loc: tuple[Any, ...] | None) -> Any:
        """The cached value of a cell, or ``_BAD`` after reporting why it has none."""
        value_cell = self.values[sheet].cell(row=row, column=column)
        if value_cell.data_type == "e":
            self.add(where, f"the cell shows the Excel error {value_cell.value}; "
                            "expected a value")
            self.reported(loc)
            return _BAD
        value = value_cell.value
        if value is None:
            text = self.formulas.get(sheet, row, column)
            if text is not None:
                text = text if text.startswith("=") else f"={text}"
                self.add(where, f"the formula {text} has no cached value (the workbook was "
                                "saved without calculating it); open and save it in Excel, "
                                "or enter a plain value")
                self.reported(loc)
                return _BAD
        if isinstance(value, str):
            value = value.strip() or None
        return value

    def row_is_blank(self, table: _TableData, row: int) -> bool:
        sheet = self.values[table.sheet]
        for column in table.columns.values():
            value = sheet.cell(row=row, column=column).value
            if value is not None and not (isinstance(value, str) and not value.strip()):
                return False
        return all(self.formulas.get(table.sheet, row, c) is None
                   for c in table.columns.values())

    def table(self, name: str, sheet_hint: str, required_columns: Iterable[str],
              required: bool = True) -> tuple[_TableData | None, bool]:
        """Find a table by name on any sheet; report it or its missing columns.

        Returns the table (or None) and whether it is complete (all required columns).
        """
        found = None
        for worksheet in self.values.worksheets:
            if name in worksheet.tables:
                found = worksheet, worksheet.tables[name]
                break
        if found is None:
            if required:
                self.add(_Where(sheet_hint, name),
                         f'missing table "{name}" (expected on sheet "{sheet_hint}")')
            return None, False
        worksheet, table = found
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        header_rows = 1 if table.headerRowCount is None else table.headerRowCount
        totals = table.totalsRowCount or 0
        columns: dict[str, int] = {}
        if header_rows >= 1:
            for index, column in enumerate(range(min_col, max_col + 1)):
                header = _header_text(worksheet.cell(row=min_row, column=column).value)
                if header is None and index < len(table.tableColumns):
                    header = table.tableColumns[index].name
                if header is not None and header not in columns:
                    columns[header] = column
        data = _TableData(
            name=name,
            sheet=worksheet.title,
            columns=columns,
            rows=list(range(min_row + header_rows, max_row - totals + 1)),
        )
        complete = True
        required_columns = tuple(required_columns)
        unexpected = [header for header in columns if header not in required_columns]
        for header in required_columns:
            if header not in columns:
                complete = False
                self.add(_Where(worksheet.title, name, column=header),
                         f'missing column "{header}"{_hint(header, unexpected)}')
        return data, complete

    def keyed_rows(self, table: _TableData, label_column: str, labels: tuple[str, ...],
                   section: tuple[Any, ...], what: str,
                   optional: Iterable[str] = ()) -> dict[str, int]:
        """Rows by their label; unknown, duplicate and missing labels are reported."""
        found: dict[str, int] = {}
        broken = False
        column = table.columns[label_column]
        for row in table.rows:
            if self.row_is_blank(table, row):
                continue
            coord = table.coord(row, label_column)
            where = _Where(table.sheet, table.name, None, label_column, coord)
            label = self.cell(table.sheet, row, column, where, None)
            if label is _BAD:
                broken = True
                continue
            if label is None:
                self.add(where, f"missing {what} label (row {row} has values but no label)")
                broken = True
                continue
            label = str(label)
            where = _Where(table.sheet, table.name, label, label_column, coord)
            if label not in labels:
                self.add(where, f'unknown {what} "{label}"{_hint(label, labels)}')
                broken = True
            elif label in found:
                self.add(where, f'duplicate {what} "{label}" (also in row {found[label]})')
                broken = True
            else:
                found[label] = row
        optional = set(optional)
        for label in labels:
            if label not in found and label not in optional:
                self.add(_Where(table.sheet, table.name, label, label_column),
                         f'missing {what} row "{label}"')
                broken = True
        if broken:
            self.relabelled.add(section)
        return found

    def name(self, name: str, size: int, loc: tuple[Any, ...],
             required: bool) -> tuple[str, list[tuple[int, int]]] | None:
        """Resolve a defined name to its sheet and cells (row-major), or report why not."""
        defined = self.values.defined_names.get(name)
        if defined is None:
            for worksheet in self.values.worksheets:
                if name in worksheet.defined_names:
                    defined = worksheet.defined_names[name]
                    break
        table = _name_table(name)
        if defined is None:
            if required:
                self.add(_Where(NAME_SHEETS.get(name), table),
                         f'missing defined name "{name}"')
                self.reported(loc)
            return None
        try:
            destinations = list(defined.destinations)
        except Exception:  # noqa: BLE001 - openpyxl cannot parse the reference
            destinations = []
        if len(destinations) != 1:
            self.add(_Where(NAME_SHEETS.get(name), table),
                     f'defined name "{name}" refers to {defined.attr_text!r}; '
                     "expected a cell on one sheet")
            self.reported(loc)
            return None
        sheet, ref = destinations[0]
        ref = ref.replace("$", "")
        if sheet not in self.values.sheetnames:
            self.add(_Where(sheet, table, cell=ref),
                     f'defined name "{name}" refers to sheet "{sheet}", which does not exist')
            self.reported(loc)
            return None
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except ValueError:
            min_col = None
        expected = (
            "a single cell" if size == 1 else f"a range of {size} cells (type, low, mode, high)"
        )
        if None in (min_col, min_row, max_col, max_row):
            self.add(_Where(sheet, table, cell=ref),
                     f'defined name "{name}" refers to {ref}; expected {expected}')
            self.reported(loc)
            return None
        cells = [(r, c) for r in range(min_row, max_row + 1)
                 for c in range(min_col, max_col + 1)]
        if len(cells) != size:
            self.add(_Where(sheet, table, cell=ref),
                     f'defined name "{name}" refers to {len(cells)} cells ({ref}); '
                     f"expected {expected}")
            self.reported(loc)
            return None
        return sheet, cells

    def named_value(self, name: str, loc: tuple[Any, ...], required: bool) -> Any:
        """The value of a single-cell defined name; None if absent, _BAD if reported."""
        resolved = self.name(name, 1, loc, required)
        if resolved is None:
            return _BAD if required else None
        sheet, [(row, column)] = resolved
        where = _Where(sheet, _name_table(name), cell=f"{get_column_letter(column)}{row}")
        self.where[loc] = where
        return self.cell(sheet, row, column, where, loc)

    # ---- sections
    def read(self) -> LabConfig:
        self.read_arrivals()
        self.read_resources()
        self.read_tasks()
        self.read_batches()
        self.read_globals()
        self.read_runner()
        self.read_parameters("batch_release", BatchRelease)
        if self.layout == "2024":
            self.read_programme_starts()
        self.read_parameters("run", RunSettings)
        self.read_calendar()
        return self.validate()

    def read_calendar(self) -> None:
        """The optional "Calendar" sheet (issue 14); without it there is no calendar."""
        calendar, problems = read_calendar_sheet(self.values)
        self.problems.extend(problems)
        if calendar is not None:
            self.raw["calendar"] = calendar

    def read_arrivals(self) -> None:
        arrivals: dict[str, list[Any]] = {}
        for key, name in ARRIVAL_TABLES.items():
            table, complete = self.table(name, SHEET_ARRIVALS, (COL_HOUR, *DAYS))
            if table is None or not complete:
                self.skip_prefix.add(("arrivals", key))
                continue
            values: list[Any] = [0.0] * HOURS_PER_WEEK
            seen: dict[int, int] = {}
            for row in table.rows:
                if self.row_is_blank(table, row):
                    continue
                coord = table.coord(row, COL_HOUR)
                where = _Where(table.sheet, name, None, COL_HOUR, coord)
                raw_hour = self.cell(table.sheet, row, table.columns[COL_HOUR], where, None)
                if raw_hour is _BAD or raw_hour == "Total":
                    continue
                hour = _as_hour(raw_hour)
                if hour is None:
                    row_label = None if raw_hour is None else _header_text(raw_hour)
                    self.add(_Where(table.sheet, name, row_label, COL_HOUR, coord),
                             f"expected an Hour, a whole number 0-23, got {_show(raw_hour)}")
                    continue
                if hour in seen:
                    self.add(_Where(table.sheet, name, str(hour), COL_HOUR, coord),
                             f"duplicate Hour {hour} (also in row {seen[hour]})")
                    continue
                seen[hour] = row
                for day_index, day in enumerate(DAYS):
                    index = day_index * 24 + hour
                    loc = ("arrivals", key, index)
                    where = _Where(table.sheet, name, str(hour), day, table.coord(row, day))
                    self.where[loc] = where
                    value = self.cell(table.sheet, row, table.columns[day], where, loc)
                    values[index] = 0.0 if value is None or value is _BAD else value
            for hour in range(24):
                if hour not in seen:
                    self.add(_Where(table.sheet, name, str(hour), COL_HOUR),
                             f"missing the row for Hour {hour} (expected one row for each "
                             "hour 0-23)")
                    for day_index in range(len(DAYS)):
                        self.reported(("arrivals", key, day_index * 24 + hour))
            self.where[("arrivals", key)] = _Where(table.sheet, name)
            arrivals[key] = values
        self.raw["arrivals"] = arrivals

    def read_resources(self) -> None:
        section = ("resources",)
        table, complete = self.table(TABLE_RESOURCES, LAYOUT_SHEETS[self.layout],
                                     (COL_RESOURCE, *DAYS, *HALF_HOURS))
        if table is None or not complete:
            self.skip_prefix.add(section)
            return
        rows = self.keyed_rows(table, COL_RESOURCE, RESOURCES, section, "resource")
        resources: dict[str, Any] = {}
        for label, row in rows.items():
            self.where[(*section, label)] = _Where(table.sheet, table.name, label)
            item: dict[str, list[Any]] = {}
            for field, headers in (("working_days", DAYS), ("half_hour_units", HALF_HOURS)):
                cells = []
                for index, header in enumerate(headers):
                    loc = (*section, label, field, index)
                    where = _Where(table.sheet, table.name, label, header,
                                   table.coord(row, header))
                    self.where[loc] = where
                    value = self.cell(table.sheet, row, table.columns[header], where, loc)
                    cells.append(0 if value is None or value is _BAD else value)
                item[field] = cells
            resources[label] = item
        self.raw["resources"] = resources

    def read_tasks(self) -> None:
        section = ("task_durations",)
        table, complete = self.table(TABLE_TASKS, SHEET_TASKS,
                                     (COL_TASK, *TASK_COLUMNS.values()))
        if table is None or not complete:
            self.skip_prefix.add(section)
            return
        rows = self.keyed_rows(table, COL_TASK, TASKS, section, "task")
        tasks: dict[str, Any] = {}
        for label, row in rows.items():
            first, last = table.coord(row, "Optimistic"), table.coord(row, "Pessimistic")
            self.where[(*section, label)] = _Where(table.sheet, table.name, label,
                                                   TASK_ORDER_COLUMNS, f"{first}:{last}")
            item: dict[str, Any] = {}
            for field, header in TASK_COLUMNS.items():
                loc = (*section, label, field)
                where = _Where(table.sheet, table.name, label, header, table.coord(row, header))
                self.where[loc] = where
                value = self.cell(table.sheet, row, table.columns[header], where, loc)
                item[field] = None if value is _BAD else value
            if COL_NOTE in table.columns:
                loc = (*section, label, "note")
                where = _Where(table.sheet, table.name, label, COL_NOTE,
                               table.coord(row, COL_NOTE))
                self.where[loc] = where
                note = self.cell(table.sheet, row, table.columns[COL_NOTE], where, loc)
                if note is not None and note is not _BAD:
                    item["note"] = note if isinstance(note, str) else _header_text(note)
            tasks[label] = item
        self.raw["task_durations"] = tasks

    def read_batches(self) -> None:
        section = ("batch_sizes",)
        table, complete = self.table(TABLE_BATCHES, SHEET_BATCHES, (COL_BATCH, COL_SIZE))
        if table is None or not complete:
            self.skip_prefix.add(section)
            return
        rows = self.keyed_rows(table, COL_BATCH, BATCHES, section, "batch",
                               optional=(URGENT_PROCESSING_BATCH,))
        sizes: dict[str, Any] = {}
        for label, row in rows.items():
            loc = (*section, label)
            where = _Where(table.sheet, table.name, label, COL_SIZE, table.coord(row, COL_SIZE))
            self.where[loc] = where
            value = self.cell(table.sheet, row, table.columns[COL_SIZE], where, loc)
            sizes[label] = None if value is _BAD else value
        self.raw["batch_sizes"] = sizes

    def read_globals(self) -> None:
        values: dict[str, Any] = {}
        for field in GlobalParameters.model_fields.values():
            name = field.alias
            assert name is not None
            loc = ("globals", name)
            required = field.is_required()
            if field.annotation is CountDistribution:
                resolved = self.name(name, len(COUNT_PARTS), loc, required)
                if resolved is None:
                    continue
                sheet, cells = resolved
                (r0, c0), (r1, c1) = cells[0], cells[-1]
                span = f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}"
                self.where[loc] = _Where(sheet, _name_table(name), cell=span)
                item = {}
                for part, (row, column) in zip(COUNT_PARTS, cells, strict=True):
                    part_loc = (*loc, part)
                    where = _Where(sheet, _name_table(name), None, part,
                                   f"{get_column_letter(column)}{row}")
                    self.where[part_loc] = where
                    value = self.cell(sheet, row, column, where, part_loc)
                    item[part] = None if value is _BAD else value
                values[name] = item
            else:
                value = self.named_value(name, loc, required)
                if value is _BAD:
                    continue
                if value is not None or required:
                    values[name] = value
        self.raw["globals"] = values

    def read_runner(self) -> None:
        required = self.layout == "2024"
        runner: dict[str, Any] = {}
        section = ("runner", "distances_m")
        table, complete = self.table(TABLE_RUNNER, SHEET_RUNNER_OUTPUT,
                                     (COL_JOURNEY, COL_DISTANCE), required=required)
        if table is not None and complete:
            rows = self.keyed_rows(table, COL_JOURNEY, RUNNER_JOURNEYS, section,
                                   "runner journey")
            distances: dict[str, Any] = {}
            for label, row in rows.items():
                loc = (*section, label)
                where = _Where(table.sheet, table.name, label, COL_DISTANCE,
                               table.coord(row, COL_DISTANCE))
                self.where[loc] = where
                value = self.cell(table.sheet, row, table.columns[COL_DISTANCE], where, loc)
                distances[label] = None if value is _BAD else value
            runner["distances_m"] = distances
        elif table is not None or required:
            self.skip_prefix.add(section)
        names = {**RUNNER_NAMES, "default_walk_s": RUNNER_DEFAULT_WALK_NAME}
        for field, name in names.items():
            loc = ("runner", field)
            value = self.named_value(name, loc, required and field in RUNNER_NAMES)
            if value is not None and value is not _BAD:
                runner[field] = value
        self.raw["runner"] = runner

    def read_parameters(self, key: str, model: type[BatchRelease] | type[RunSettings]) -> None:
        """Optional single-cell names spelled like the model's fields (11.C17, run settings)."""
        values: dict[str, Any] = {}
        for field in model.model_fields:
            loc = (key, field)
            value = self.named_value(field, loc, required=False)
            if value is None or value is _BAD:
                continue
            values[field] = _time_text(value) if field.startswith("processing_start") else value
        if key == "run":
            fallback = _Where(SHEET_RUN, _name_table("warmup_hours"))
            self.where[(key,)] = self.where.get((key, "warmup_hours"), fallback)
        self.raw[key] = values

    def read_programme_starts(self) -> None:
        """2024 layout: each regular programme's start time, the cell right of its label
        on 'Processing Variables' (a blank cell keeps ``processing_start_time``)."""
        if _PROCESSING not in self.values.sheetnames:
            return
        sheet = self.values[_PROCESSING]
        found = {str(c.value).strip(): (c.row, c.column) for row in sheet.iter_rows()
                 for c in row if isinstance(c.value, str)}
        for field, label in PROGRAMME_START_LABELS.items():
            if label not in found:
                continue
            row, column = found[label]
            coord = f"{get_column_letter(column + 1)}{row}"
            loc = ("batch_release", field)
            where = _Where(_PROCESSING, "processing start times", label, "Start time", coord)
            self.where[loc] = where
            value = self.cell(_PROCESSING, row, column + 1, where, loc)
            if value is not _BAD and value is not None:
                self.raw["batch_release"][field] = _time_text(value)

    # ---- validation through the model
    def validate(self) -> LabConfig:
        config: LabConfig | None = None
        errors: list[dict[str, Any]] = []
        try:
            config = LabConfig.model_validate(self.raw)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
        failed_sections = {tuple(e["loc"]) for e in errors} & self.relabelled
        for section in failed_sections:
            # The section's label check failed (already reported): validate its rows one
            # by one with the field's own type, so faults in other rows still show.
            errors.extend(self._item_errors(section))
        for error in errors:
            self.convert(error, failed_sections)
        self.check_groups_despite(errors)
        if config is None and not self.problems:  # safety net: never an empty error
            for error in errors:
                self.add(_Where(), f"{_path(error['loc'])}: {describe_error(error)}")
        if self.problems or config is None:
            raise ConfigError(self.problems, source=self.label)
        return config

    def _item_errors(self, section: tuple[Any, ...]) -> list[dict[str, Any]]:
        model: type[Any] = LabConfig
        data: Any = self.raw
        for part in section[:-1]:
            model = model.model_fields[part].annotation
            data = data.get(part, {})
        data = data.get(section[-1])
        if not isinstance(data, dict):
            return []
        adapter = TypeAdapter(model.model_fields[section[-1]].annotation)
        try:
            adapter.validate_python(data)
        except ValidationError as exc:
            return [{**e, "loc": (*section, *e["loc"])} for e in exc.errors(include_url=False)]
        return []

    def convert(self, error: dict[str, Any], failed_sections: set[tuple[Any, ...]]) -> None:
        loc = tuple(error["loc"])
        if loc in self.skip_exact or loc in failed_sections:
            return
        if any(loc[:i] in self.skip_prefix for i in range(1, len(loc) + 1)):
            return
        if loc == ("globals",) and error["type"] == "value_error":
            self.convert_groups(describe_error(error))
            return
        where = None
        for i in range(len(loc), 0, -1):
            where = self.where.get(loc[:i])
            if where is not None:
                rest = loc[i:]
                break
        message = describe_error(error)
        if where is None:
            where, rest = _Where(), loc
        if rest:
            message = f"{_path(rest)}: {message}"
        self.add(where, message)

    def check_groups_despite(self, errors: list[dict[str, Any]]) -> None:
        """Probability-group sums, even when some other global failed.

        Pydantic skips the model validator of GlobalParameters once a field fails, which
        would hide a wrong group sum until the next attempt. So validate again with a
        harmless placeholder for each failed name, and report the groups that do not
        involve a failed name.
        """
        failed = {loc[1] for loc in (tuple(e["loc"]) for e in errors)
                  if len(loc) >= 2 and loc[0] == "globals"}
        failed |= {loc[1] for loc in self.skip_prefix if len(loc) >= 2 and loc[0] == "globals"}
        if not failed:
            return
        values = dict(self.raw.get("globals", {}))
        for field in GlobalParameters.model_fields.values():
            name = field.alias
            if name in failed or (field.is_required() and name not in values):
                failed.add(name)
                values[name] = (
                    {"distribution": "Constant", "low": 1, "mode": 1, "high": 1}
                    if field.annotation is CountDistribution else 0.0
                )
        try:
            GlobalParameters.model_validate(values)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                if tuple(error["loc"]) == () and error["type"] == "value_error":
                    self.convert_groups(describe_error(error), exclude=failed)

    def convert_groups(self, message: str, exclude: set[str] | None = None) -> None:
        """One problem per probability group that does not sum as it must."""
        for part in message.split("; "):
            names = re.findall(r"\b(?:Prob\w+)", part)
            if exclude and exclude.intersection(names):
                continue
            places = [self.where.get(("globals", n)) for n in names]
            places = [p for p in places if p is not None]
            sheet = places[0].sheet if places else None
            cells = ", ".join(p.cell for p in places if p.cell) or None
            self.add(_Where(sheet, _name_table(" + ".join(names)), cell=cells), part)


def read_workbook(source: str | Path | bytes | BinaryIO, *, name: str | None = None
                  ) -> LabConfig:
    """Read a hospital configuration workbook (either layout) into a validated LabConfig.

    ``source`` is a path, the file's bytes, or a binary file object; ``name`` labels
    error messages (default: the file name). Raises :class:`ConfigError` listing every
    problem found, each with its sheet, table or defined name, row, column and cell.
    """
    label = name or _source_name(source)
    data = _read_source(source, label)
    values = _open(data, label)
    layout = _detect_layout(values, label)
    formulas = _Formulas(data)
    try:
        return _Reader(values, formulas, layout, label).read()
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - never a bare stack trace for bad input
        raise _fail(f"the workbook could not be read ({type(exc).__name__}: {exc})",
                    label) from exc



# -- templates and the default configuration ------------------------------------------


def template_path(layout: str = "2023") -> Path:
    """The bundled reference workbook of a layout ("2023" or "2024")."""
    if layout not in TEMPLATE_FILES:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    return Path(str(resources.files("hospital_twin.config") / "templates"
                    / TEMPLATE_FILES[layout]))


@functools.cache
def _default_config() -> LabConfig:
    return read_workbook(template_path("2023"))


def default_config() -> LabConfig:
    """The configuration of the bundled 2023 reference workbook (a fresh copy each call)."""
    return _default_config().model_copy(deep=True)


# -- writing -----------------------------------------------------------------------------


def _table_of(workbook: Workbook, name: str) -> tuple[Worksheet, Table]:
    for worksheet in workbook.worksheets:
        if name in worksheet.tables:
            return worksheet, worksheet.tables[name]
    raise KeyError(f"table {name} not in the template")


def _columns_of(worksheet: Worksheet, table: Table) -> dict[str, int]:
    min_col, min_row, max_col, _ = range_boundaries(table.ref)
    columns = {}
    for column in range(min_col, max_col + 1):
        header = _header_text(worksheet.cell(row=min_row, column=column).value)
        if header is not None:
            columns.setdefault(header, column)
    return columns


def _body_rows(table: Table) -> range:
    _, min_row, _, max_row = range_boundaries(table.ref)
    return range(min_row + 1, max_row - (table.totalsRowCount or 0) + 1)


def _rows_by_label(worksheet: Worksheet, table: Table, column: int) -> dict[Any, int]:
    rows = {}
    for row in _body_rows(table):
        label = worksheet.cell(row=row, column=column).value
        if label is not None:
            rows.setdefault(label, row)
    return rows


def _put(worksheet: Worksheet, row: int, column: int, value: Any) -> None:
    """Set a cell, blanking it for None (``Worksheet.cell(value=None)`` leaves it as is)."""
    worksheet.cell(row=row, column=column).value = value


def _set_ref(table: Table, ref: str) -> None:
    table.ref = ref
    if table.autoFilter is not None:
        table.autoFilter.ref = ref


def _append_row(worksheet: Worksheet, table: Table) -> int:
    """Extend a table (without totals row) by one body row styled like its last row."""
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    new_row = max_row + 1
    for column in range(min_col, max_col + 1):
        worksheet.cell(row=new_row, column=column)._style = copy(
            worksheet.cell(row=max_row, column=column)._style
        )
    _set_ref(table, f"{get_column_letter(min_col)}{min_row}:"
                    f"{get_column_letter(max_col)}{new_row}")
    return new_row


def _name_cells(workbook: Workbook, name: str) -> tuple[Worksheet, list[tuple[int, int]]]:
    [(sheet, ref)] = list(workbook.defined_names[name].destinations)
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    cells = [(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]
    return workbook[sheet], cells


def _define(workbook: Workbook, name: str, sheet: str, coord: str) -> None:
    column = re.match(r"\$?([A-Z]+)\$?(\d+)$", coord)
    assert column is not None
    ref = f"{quote_sheetname(sheet)}!${column.group(1)}${column.group(2)}"
    if name in workbook.defined_names:
        del workbook.defined_names[name]
    workbook.defined_names[name] = DefinedName(name, attr_text=ref)


class _Writer:
    def __init__(self, workbook: Workbook, config: LabConfig):
        self.workbook = workbook
        self.config = config
        self.layout = config.layout

    def write(self) -> None:
        self.arrivals()
        self.resources()
        self.tasks()
        self.batches()
        self.globals()
        self.runner()
        self.parameter_sheet(SHEET_BATCH_RELEASE, "Batch release rules",
                             self.config.batch_release, BatchRelease(),
                             skip=PROGRAMME_START_LABELS if self.layout == "2024" else ())
        if self.layout == "2024":
            self.programme_starts()
        self.parameter_sheet(SHEET_RUN, "Run settings", self.config.run, RunSettings())
        write_calendar_sheet(self.workbook, self.config.calendar)

    def arrivals(self) -> None:
        for key, name in ARRIVAL_TABLES.items():
            worksheet, table = _table_of(self.workbook, name)
            columns = _columns_of(worksheet, table)
            rows = _rows_by_label(worksheet, table, columns[COL_HOUR])
            values = getattr(self.config.arrivals, key)
            for hour in range(24):
                row = rows[hour]
                for day_index, day in enumerate(DAYS):
                    worksheet.cell(row=row, column=columns[day],
                                   value=values[day_index * 24 + hour])

    def resources(self) -> None:
        worksheet, table = _table_of(self.workbook, TABLE_RESOURCES)
        columns = _columns_of(worksheet, table)
        rows = _rows_by_label(worksheet, table, columns[COL_RESOURCE])
        for label, schedule in self.config.resources.items():
            row = rows[label]
            for day, working in zip(DAYS, schedule.working_days, strict=True):
                _put(worksheet, row, columns[day], 1 if working else 0)
            for slot, units in zip(HALF_HOURS, schedule.half_hour_units, strict=True):
                _put(worksheet, row, columns[slot], units or None)

    def tasks(self) -> None:
        worksheet, table = _table_of(self.workbook, TABLE_TASKS)
        columns = _columns_of(worksheet, table)
        rows = _rows_by_label(worksheet, table, columns[COL_TASK])
        notes = [task.note for task in self.config.task_durations.values()]
        if COL_NOTE not in columns and any(note is not None for note in notes):
            columns[COL_NOTE] = self.add_note_column(worksheet, table)
        for label, task in self.config.task_durations.items():
            row = rows[label]
            for field, header in TASK_COLUMNS.items():
                _put(worksheet, row, columns[header], getattr(task, field))
            if COL_NOTE in columns:
                _put(worksheet, row, columns[COL_NOTE], task.note)

    def add_note_column(self, worksheet: Worksheet, table: Table) -> int:
        """2023 layout with notes: extend the table by a Note column (replacing the
        free-text remarks that sit beside it in the template)."""
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        column = max_col + 1
        worksheet.cell(row=min_row, column=column, value=COL_NOTE)._style = copy(
            worksheet.cell(row=min_row, column=max_col)._style
        )
        for row in range(min_row + 1, max_row + 1):
            _put(worksheet, row, column, None)
        table.tableColumns.append(TableColumn(id=len(table.tableColumns) + 1, name=COL_NOTE))
        _set_ref(table, f"{get_column_letter(min_col)}{min_row}:"
                        f"{get_column_letter(column)}{max_row}")
        return column

    def batches(self) -> None:
        worksheet, table = _table_of(self.workbook, TABLE_BATCHES)
        columns = _columns_of(worksheet, table)
        rows = _rows_by_label(worksheet, table, columns[COL_BATCH])
        for label, size in self.config.batch_sizes.items():
            row = rows.get(label)
            if row is None:
                row = _append_row(worksheet, table)
                _put(worksheet, row, columns[COL_BATCH], label)
                if COL_UNIT in columns:
                    _put(worksheet, row, columns[COL_UNIT], BATCH_UNITS[label])
            _put(worksheet, row, columns[COL_SIZE], size)

    def globals(self) -> None:
        parameters = self.config.globals
        names = self.workbook.defined_names
        for field_name, field in GlobalParameters.model_fields.items():
            name = field.alias
            assert name is not None
            value = getattr(parameters, field_name)
            fallback = _FALLBACK_NAME_CELLS.get(self.layout, {}).get(name)
            if value is None:
                # Optional and absent: drop the name (so it reads back as absent) and show
                # the complement in its cell for the reader of the sheet.
                if name in names:
                    worksheet, [(row, column)] = _name_cells(self.workbook, name)
                    del names[name]
                elif fallback is not None:
                    worksheet = self.workbook[fallback[0]]
                    column, row, _, _ = range_boundaries(fallback[1].replace("$", ""))
                else:
                    continue
                urgent, priority = (getattr(parameters, f) for f in _ROUTINE_PARTS[name])
                _put(worksheet, row, column, 1 - urgent - priority)
                continue
            if name not in names:
                if fallback is None:
                    raise KeyError(f"no place for defined name {name} in the template")
                _define(self.workbook, name, *fallback)
            worksheet, cells = _name_cells(self.workbook, name)
            if isinstance(value, CountDistribution):
                parts = [value.distribution, value.low, value.mode, value.high]
            else:
                parts = [value]
            for (row, column), part in zip(cells, parts, strict=True):
                _put(worksheet, row, column, part)

    def runner(self) -> None:
        runner = self.config.runner
        defaults = RunnerTimes()
        if self.layout == "2024":
            self.runner_distances(*_table_of(self.workbook, TABLE_RUNNER))
            for field, name in RUNNER_NAMES.items():
                worksheet, [(row, column)] = _name_cells(self.workbook, name)
                _put(worksheet, row, column, getattr(runner, field))
            if runner.default_walk_s != defaults.default_walk_s:
                self.labelled_cell(self.workbook[SHEET_RUNNER_OUTPUT], 2,
                                   "Walk each way without distances (s)",
                                   runner.default_walk_s, RUNNER_DEFAULT_WALK_NAME)
            return
        if runner == defaults:
            return
        # 2023 layout with runner data: add the 2024 sheet, table and names.
        worksheet = self.workbook.create_sheet(SHEET_RUNNER_OUTPUT)
        worksheet["A1"] = "Runner Times output"
        worksheet["A1"].font = Font(bold=True, size=14)
        if runner.distances_m is not None:
            last = 2 + len(RUNNER_JOURNEYS)
            worksheet["A2"], worksheet["B2"] = COL_JOURNEY, COL_DISTANCE
            for row, journey in enumerate(RUNNER_JOURNEYS, start=3):
                _put(worksheet, row, 1, journey)
            table = Table(displayName=TABLE_RUNNER, ref=f"A2:B{last}")
            table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
            worksheet.add_table(table)
            self.runner_distances(worksheet, table)
        labels = {
            "speed_m_per_s": "Runner speed (m/s)",
            "loading_time_s": "Loading time per batch (s)",
            "unloading_time_s": "Unloading time per batch (s)",
            "default_walk_s": "Walk each way without distances (s)",
        }
        names = {**RUNNER_NAMES, "default_walk_s": RUNNER_DEFAULT_WALK_NAME}
        for row, (field, text) in enumerate(labels.items(), start=2):
            self.labelled_cell(worksheet, row, text, getattr(runner, field), names[field])
        worksheet.column_dimensions["A"].width = 26
        worksheet.column_dimensions["D"].width = 36

    def runner_distances(self, worksheet: Worksheet, table: Table) -> None:
        columns = _columns_of(worksheet, table)
        rows = _rows_by_label(worksheet, table, columns[COL_JOURNEY])
        distances = self.config.runner.distances_m or {}
        for journey, metres in distances.items():
            _put(worksheet, rows[journey], columns[COL_DISTANCE], metres)

    def labelled_cell(self, worksheet: Worksheet, row: int, text: str, value: Any,
                      name: str) -> None:
        _put(worksheet, row, 4, text)
        _put(worksheet, row, 5, value)
        _define(self.workbook, name, worksheet.title, f"E{row}")

    def programme_starts(self) -> None:
        """2024 layout: each programme's own start time beside its label (blank = default)."""
        worksheet = self.workbook[_PROCESSING]
        found = {str(c.value).strip(): (c.row, c.column) for row in worksheet.iter_rows()
                 for c in row if isinstance(c.value, str)}
        for field, label in PROGRAMME_START_LABELS.items():
            row, column = found[label]
            value = getattr(self.config.batch_release, field)
            cell = worksheet.cell(row=row, column=column + 1)
            cell.value = None if value is None else _excel_time(value)
            cell.number_format = "hh:mm"

    def parameter_sheet(self, title: str, heading: str, values: Any, defaults: Any,
                        skip: Iterable[str] = ()) -> None:
        if title in self.workbook.sheetnames:
            del self.workbook[title]
        worksheet = self.workbook.create_sheet(title)
        worksheet["A1"] = heading
        worksheet["A1"].font = Font(bold=True, size=14)
        for column, header in enumerate(("Parameter", "Value", "Default", "Meaning"), start=1):
            worksheet.cell(row=3, column=column, value=header).font = Font(
                bold=True
            )
        fields = [(f, i) for f, i in type(values).model_fields.items() if f not in skip]
        for row, (field, info) in enumerate(fields, start=4):
            value, default = getattr(values, field), getattr(defaults, field)
            if field.startswith("processing_start_") and value is not None:
                value = _excel_time(value)
                default = default if default is None else _excel_time(default)
            elif field == "processing_start_time":
                value, default = _excel_time(value), _excel_time(default)
            _put(worksheet, row, 1, field)
            value_cell = worksheet.cell(row=row, column=2, value=value)
            default_cell = worksheet.cell(row=row, column=3, value=default)
            if isinstance(value, dt.time):
                value_cell.number_format = default_cell.number_format = "hh:mm"
            _put(worksheet, row, 4, _MEANINGS.get(field, info.description))
            _define(self.workbook, field, title, f"B{row}")
        worksheet.column_dimensions["A"].width = 32
        worksheet.column_dimensions["D"].width = 80


def _excel_time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


_MEANINGS = {
    "batch_release": '"timed": release partly filled batches by the rules below; '
                     '"full_only": only full batches (the earlier behaviour)',
    "delivery_release_interval_min": "delivery batches leave at least this often (minutes, "
                                     "clock-aligned) while the runner is on duty",
    "flush_before_shift_end": "TRUE: release delivery batches at the start of the runner's "
                              "last staffed half hour",
    "machine_batch_max_wait_h": "machine batches start when the oldest item has waited this "
                                "long (hours)",
    "processing_start_time": "regular processing programmes start at this time of day "
                             "(unless their own start time below is set)",
    "processing_release": '"start_time": regular programmes start only at their start time, '
                          'a full batch waits too; "full_or_start_time": when full or at the '
                          'start time (the earlier rule)',
    "processing_start_small": "start time of the small-surgicals programme (blank: "
                              "processing_start_time)",
    "processing_start_large": "start time of the large-surgicals programme (blank: "
                              "processing_start_time)",
    "processing_start_mega": "start time of the megas programme (blank: processing_start_time)",
    "sim_hours": "simulated hours, including the warm-up",
    "replications": "number of independent replications",
    "seed": "random seed (same seed, same specimens)",
    "warmup_hours": "hours at the start excluded from the KPIs",
}


def write_workbook(config: LabConfig, destination: str | Path | BinaryIO) -> None:
    """Write ``config`` as a workbook of its layout, from the bundled template.

    Table bodies and named cells get plain values; the urgent processing batch row is
    added to ``BatchSizes``, and sheets "Batch Release" and "Run Settings" hold the
    batch-release rules and run settings under defined names spelled like the fields.
    Reading the result gives back an equal configuration.
    """
    if not isinstance(config, LabConfig):
        raise TypeError(f"expected a LabConfig, got {type(config).__name__}")
    if config.layout == "2024" and config.runner.distances_m is None:
        raise ConfigError(ConfigProblem(
            "the 2024 layout needs the runner distances of every journey, and this "
            "configuration has none; write it in the 2023 layout instead",
            sheet=SHEET_RUNNER_OUTPUT, table=TABLE_RUNNER,
        ))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(template_path(config.layout))
    _Writer(workbook, config).write()
    if isinstance(destination, str | Path):
        Path(destination).parent.mkdir(parents=True, exist_ok=True)
        destination = str(destination)
    with _exact_numbers():
        workbook.save(destination)


_SAVE_LOCK = threading.Lock()


def _exact_string(value: Any) -> str:
    """Numbers as cell text without loss: openpyxl writes ``%.16g``, which changes
    floats that need 17 digits (13.833333333333334) and integers above 2**53."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    return _openpyxl_safe_string(value)


@contextlib.contextmanager
def _exact_numbers() -> Iterator[None]:
    """While saving, have openpyxl's cell writer format numbers with :func:`_exact_string`."""
    with _SAVE_LOCK:
        original = openpyxl_cell_writer.safe_string
        openpyxl_cell_writer.safe_string = _exact_string
        try:
            yield
        finally:
            openpyxl_cell_writer.safe_string = original
