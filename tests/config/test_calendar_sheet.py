"""The optional "Calendar" sheet: both layouts round-trip, absence means no calendar,
and every fault is reported with sheet, section, row and column, all at once."""

from __future__ import annotations

import datetime as dt
import io
import warnings

import openpyxl
import pytest

from hospital_twin.config import ConfigError, LabConfig, read_workbook, template_path
from hospital_twin.config.calendar import Calendar
from hospital_twin.config.workbook import write_workbook

LAYOUTS = ("2023", "2024")

FULL = Calendar(
    start=dt.datetime(2026, 12, 7, 7, 30),
    staff_profiles=[{"resource": "Microtomy staff", "day": "SAT",
                     "half_hour_units": [0] * 16 + [2] * 8 + [0] * 24}],
    closures=[{"first_date": "2026-12-25", "last_date": "2026-12-26", "note": "Christmas"},
              {"first_date": "2026-12-31", "no_staff": False}],
    bank_holidays=[{"date": "2027-01-01", "note": "New Year"}],
    extra_shifts=[{"resource": "Cut-up assistant", "first_date": "2026-12-12",
                   "last_date": "2027-01-09", "days": ["SAT"], "start_time": "08:00",
                   "end_time": "12:30", "units": 2}],
    demand_multipliers=[{"period": "month", "number": 12, "multiplier": 0.9},
                        {"period": "week", "number": 1, "multiplier": 1.2}],
    yearly_growth=0.05,
)


def _bytes(config: LabConfig) -> bytes:
    buffer = io.BytesIO()
    write_workbook(config, buffer)
    return buffer.getvalue()


def _edited(config: LabConfig, edit) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(io.BytesIO(_bytes(config)))
    edit(workbook["Calendar"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_reference_workbooks_have_no_calendar(layout: str) -> None:
    config = read_workbook(template_path(layout))
    assert config.calendar is None
    again = read_workbook(_bytes(config))
    assert again.calendar is None and again == config


@pytest.mark.parametrize("layout", LAYOUTS)
def test_calendar_round_trips_in_both_layouts(layout: str) -> None:
    config = read_workbook(template_path(layout)).model_copy(update={"calendar": FULL})
    again = read_workbook(_bytes(config))
    assert again.calendar == FULL
    assert again == config


def test_neutral_calendar_round_trips() -> None:
    config = read_workbook(template_path("2023")).model_copy(update={"calendar": Calendar()})
    assert read_workbook(_bytes(config)).calendar == Calendar()


def test_typed_excel_values_are_understood() -> None:
    """Dates and times typed in Excel (not text) and yes/no flags are read."""
    config = read_workbook(template_path("2023")).model_copy(update={"calendar": FULL})

    def edit(sheet):
        for row in sheet.iter_rows():
            if row[0].value == "Extra shifts":
                data = sheet[row[0].row + 2]
                data[4].value = dt.time(9, 0)
                data[1].value = dt.datetime(2026, 12, 19)
            if row[0].value == "Closures":
                sheet[row[0].row + 2][3].value = "no"
    calendar = read_workbook(_edited(config, edit)).calendar
    assert calendar.extra_shifts[0].start_time == "09:00"
    assert calendar.extra_shifts[0].first_date == dt.date(2026, 12, 19)
    assert calendar.closures[0].no_staff is False


def test_every_fault_is_reported_with_its_place() -> None:
    config = read_workbook(template_path("2023")).model_copy(update={"calendar": FULL})

    def edit(sheet):
        sheet["B1"] = "next Tuesday"
        sheet["B2"] = -3
        for row in sheet.iter_rows():
            label = row[0].value
            if label == "Staff profiles":
                data = sheet[row[0].row + 2]
                data[0].value = "Wizard"
                data[5].value = -1  # 01:30
            elif label == "Closures":
                sheet[row[0].row + 2][0].value = "the 25th"
            elif label == "Extra shifts":
                data = sheet[row[0].row + 2]
                data[5].value = "07:00"  # before the start time
            elif label == "Demand multipliers":
                sheet[row[0].row + 2][0].value = "fortnight"
                sheet[row[0].row + 3][2].value = -1
    with pytest.raises(ConfigError) as caught:
        read_workbook(_edited(config, edit), name="lab.xlsx")
    found = {(p.table, p.row, p.column): p for p in caught.value.problems}
    assert all(p.sheet == "Calendar" for p in caught.value.problems)
    assert (None, "1", "Start") in found
    assert (None, "2", "Yearly growth") in found
    assert ("Staff profiles", "6", "Resource") in found
    assert "unknown resource" in found[("Staff profiles", "6", "Resource")].message
    assert ("Staff profiles", "6", "01:30") in found
    assert found[("Staff profiles", "6", "01:30")].cell == "F6"
    assert ("Closures", "10", "First date") in found
    assert "after" in found[("Extra shifts", "19", None)].message
    assert ("Demand multipliers", "23", "Period") in found
    assert found[("Demand multipliers", "24", "Multiplier")].cell == "C24"
    assert len(caught.value.problems) >= 8
    assert 'sheet "Calendar"' in str(caught.value) and "lab.xlsx" in str(caught.value)


def test_missing_column_is_reported() -> None:
    config = read_workbook(template_path("2023")).model_copy(update={"calendar": FULL})

    def edit(sheet):
        for row in sheet.iter_rows():
            if row[0].value == "Bank holidays":
                sheet[row[0].row + 1][0].value = "When"
    with pytest.raises(ConfigError) as caught:
        read_workbook(_edited(config, edit))
    (problem,) = caught.value.problems
    assert (problem.table, problem.column) == ("Bank holidays", "Date")
    assert "missing column" in problem.message


def test_duplicates_across_rows_are_reported() -> None:
    config = read_workbook(template_path("2023")).model_copy(update={"calendar": FULL.model_copy(
        update={"bank_holidays": [FULL.bank_holidays[0], FULL.bank_holidays[0]]})})
    with pytest.raises(ConfigError, match="listed twice"):
        read_workbook(_bytes(config))
