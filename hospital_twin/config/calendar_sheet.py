"""The optional workbook sheet "Calendar" (both layouts): reader and writer.

The sheet holds two labelled cells and five sections. Column A names each part; a section's
next row is its header row and its rows run to the first blank row::

    Start                 2026-12-07 00:00
    Yearly growth         0.05

    Staff profiles
    Resource | Day | 00:00 | 00:30 | ... | 23:30
    Closures
    First date | Last date | No arrivals | No staff | Note
    Bank holidays
    Date | Note
    Extra shifts
    Resource | First date | Last date | Days | Start time | End time | Units
    Demand multipliers
    Period | Number | Multiplier

A workbook without the sheet has no calendar (runs as before). Every problem names the sheet,
the section, the row number and the column, and all of them are reported together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from pydantic import BaseModel, ValidationError

from hospital_twin.config.calendar import (
    BankHoliday,
    Calendar,
    Closure,
    DemandMultiplier,
    ExtraShift,
    StaffProfile,
)
from hospital_twin.config.labels import HALF_HOURS
from hospital_twin.errors import ConfigProblem

SHEET_CALENDAR = "Calendar"
LABEL_START = "Start"
LABEL_GROWTH = "Yearly growth"


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _date(value: Any) -> Any:
    return value.date() if isinstance(value, dt.datetime) else _text(value)


def _flag(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("yes", "y", "true", "1"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("no", "n", "false", "0"):
        return False
    return value


def _time(value: Any) -> Any:
    if isinstance(value, dt.time | dt.datetime):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, dt.timedelta) and value == dt.timedelta(days=1):
        return "24:00"
    return _text(value)


def _days(value: Any) -> Any:
    if isinstance(value, str):
        return [d.strip().upper() for d in value.replace(";", ",").split(",") if d.strip()]
    return value


# Per section: the row model and its columns as (header, field, cell -> value).
Column = tuple[str, str, Callable[[Any], Any]]
SECTIONS: dict[str, tuple[str, type[BaseModel], list[Column]]] = {
    "Staff profiles": ("staff_profiles", StaffProfile, [
        ("Resource", "resource", _text), ("Day", "day", lambda v: _text(v).upper()
                                          if isinstance(v, str) else v),
    ]),
    "Closures": ("closures", Closure, [
        ("First date", "first_date", _date), ("Last date", "last_date", _date),
        ("No arrivals", "no_arrivals", _flag), ("No staff", "no_staff", _flag),
        ("Note", "note", _text),
    ]),
    "Bank holidays": ("bank_holidays", BankHoliday, [
        ("Date", "date", _date), ("Note", "note", _text),
    ]),
    "Extra shifts": ("extra_shifts", ExtraShift, [
        ("Resource", "resource", _text), ("First date", "first_date", _date),
        ("Last date", "last_date", _date), ("Days", "days", _days),
        ("Start time", "start_time", _time), ("End time", "end_time", _time),
        ("Units", "units", lambda v: v),
    ]),
    "Demand multipliers": ("demand_multipliers", DemandMultiplier, [
        ("Period", "period", lambda v: _text(v).lower() if isinstance(v, str) else v),
        ("Number", "number", lambda v: v), ("Multiplier", "multiplier", lambda v: v),
    ]),
}


def _blank(values: list[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _problem(message: str, section: str | None, row: int | None, column: str | None,
             cell: str | None) -> ConfigProblem:
    return ConfigProblem(message, sheet=SHEET_CALENDAR, table=section,
                         row=None if row is None else str(row), column=column, cell=cell)


def read_calendar_sheet(workbook: Workbook) -> tuple[dict[str, Any] | None, list[ConfigProblem]]:
    """The calendar of the workbook's "Calendar" sheet as a validated dict (None without the
    sheet), and every problem found in it."""
    if SHEET_CALENDAR not in workbook.sheetnames:
        return None, []
    sheet = workbook[SHEET_CALENDAR]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    problems: list[ConfigProblem] = []
    data: dict[str, Any] = {}
    starts = {i: _text(r[0]) for i, r in enumerate(rows) if r and _text(r[0]) in SECTIONS}
    first_section = min(starts, default=len(rows))
    for i in range(first_section):
        label = _text(rows[i][0]) if rows[i] else None
        value = rows[i][1] if len(rows[i]) > 1 else None
        cell = f"B{i + 1}"
        if label == LABEL_START and value is not None:
            data["start"] = value
            _check(Calendar, {"start": value}, "start", None, i + 1, "Start", cell, problems)
        elif label == LABEL_GROWTH and value is not None:
            data["yearly_growth"] = value
            _check(Calendar, {"yearly_growth": value}, "yearly_growth", None, i + 1,
                   "Yearly growth", cell, problems)
    for index, name in sorted(starts.items()):
        key, model, columns = SECTIONS[name]
        data[key] = _read_section(rows, index, name, model, columns, problems)
    if problems:
        return None, problems
    try:
        Calendar.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            problems.append(_problem(str(error["msg"]).removeprefix("Value error, "),
                                     None, None, None, None))
        return None, problems
    return data, problems


def _read_section(rows: list[list[Any]], index: int, name: str, model: type[BaseModel],
                  columns: list[Column], problems: list[ConfigProblem]) -> list[dict]:
    """The rows of one section, each checked with its row model."""
    header_row = rows[index + 1] if index + 1 < len(rows) else []
    headers = {_text(h): c for c, h in enumerate(header_row) if _text(h) is not None}
    expected = [c[0] for c in columns]
    profile = name == "Staff profiles"
    if profile:
        expected = expected + list(HALF_HOURS)
        headers = {(_time(h) if not isinstance(h, str) else h.strip()): c
                   for c, h in enumerate(header_row) if h is not None}
    missing = [h for h in expected if h not in headers]
    if missing:
        problems.append(_problem(f"missing column(s) {', '.join(missing)} in the header row",
                                 name, index + 2, missing[0], None))
        return []
    out = []
    for r in range(index + 2, len(rows)):
        row = rows[r]
        if _blank(row) or _text(row[0]) in SECTIONS:
            break
        item: dict[str, Any] = {}
        place: dict[str, tuple[str, str]] = {}
        for header, field, convert in columns:
            c = headers[header]
            value = row[c] if c < len(row) else None
            place[field] = (header, f"{get_column_letter(c + 1)}{r + 1}")
            if value is not None and not (isinstance(value, str) and not value.strip()):
                item[field] = convert(value)
        if profile:
            item["half_hour_units"] = [
                row[headers[h]] if headers[h] < len(row) else None for h in HALF_HOURS
            ]
            for slot, h in enumerate(HALF_HOURS):
                place[f"half_hour_units.{slot}"] = (
                    h, f"{get_column_letter(headers[h] + 1)}{r + 1}")
        try:
            out.append(model.model_validate(item).model_dump(mode="json"))
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                loc = ".".join(str(p) for p in error["loc"])
                header, cell = place.get(loc, (None, None))
                message = str(error["msg"]).removeprefix("Value error, ")
                if error["type"] == "missing":
                    message = "a value is required here"
                elif "input" in error and not isinstance(error["input"], dict):
                    message = f"{message} (got {error['input']!r})"
                problems.append(_problem(message, name, r + 1, header, cell))
    return out


def _check(model: type[BaseModel], data: dict, field: str, section: str | None, row: int,
           column: str, cell: str, problems: list[ConfigProblem]) -> None:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            if error["loc"][:1] == (field,):
                problems.append(_problem(
                    f"{str(error['msg']).removeprefix('Value error, ')} "
                    f"(got {error['input']!r})", section, row, column, cell))


def write_calendar_sheet(workbook: Workbook, calendar: Calendar | None) -> None:
    """Write ``calendar`` as the "Calendar" sheet (none without a calendar)."""
    if SHEET_CALENDAR in workbook.sheetnames:
        del workbook[SHEET_CALENDAR]
    if calendar is None:
        return
    sheet = workbook.create_sheet(SHEET_CALENDAR)
    sheet.append([LABEL_START, calendar.start])
    sheet["B1"].number_format = "yyyy-mm-dd hh:mm"
    sheet.append([LABEL_GROWTH, calendar.yearly_growth])
    for name, (key, _model, columns) in SECTIONS.items():
        sheet.append([])
        sheet.append([name])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        headers = [c[0] for c in columns]
        if name == "Staff profiles":
            headers += list(HALF_HOURS)
        sheet.append(headers)
        for item in getattr(calendar, key):
            dumped = item.model_dump()
            values = []
            for _header, field, _convert in columns:
                value = dumped.get(field)
                if field == "days" and value is not None:
                    value = ", ".join(value)
                values.append(value)
            if name == "Staff profiles":
                values += list(item.half_hour_units)
            sheet.append(values)
    sheet.column_dimensions["A"].width = 24
