"""Bad workbooks give one precise ConfigProblem per fault, all of them at once.

Each broken workbook is built from the real reference workbook (the bundled template,
a byte-for-byte copy) with openpyxl in ``tmp_path``. Locations are asserted exactly as
(sheet, table or "name <defined name>", row label, column, cell).

Cell positions used below (section 12 of the model spec):
2023 TaskDurations: header row 2, task i on row 3+i (Cut-up (BMS) = row 10);
2024 TaskDurations: header row 6 (Cut-up (BMS) = row 14);
2023 ArrivalScheduleCancer: Hour h on row 3+h; 2024 ArrivalScheduleNonCancer: row 34+h;
2023 Resources: resource i on row 3+i, half hour j in column 9+j;
2023 BatchSizes: batch i on row 2+i.
"""

from __future__ import annotations

import io
import json
import random
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook

from hospital_twin.config import (
    ConfigError,
    ConfigProblem,
    LabConfig,
    load_config,
    read_workbook,
    template_path,
)

LAYOUT_MESSAGE = (
    'expected sheet "Resources" (2023 layout) or "Resource Allocation" (2024 layout)'
)
TASKS = ("Task Durations", "TaskDurations")
CANCER = ("Arrival Schedules", "ArrivalScheduleCancer")


def build(tmp_path: Path, layout: str, edit: Callable[[Workbook], None]) -> Path:
    """The reference workbook of ``layout`` with ``edit`` applied, saved in tmp_path."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: unsupported data-validation extension
        workbook = openpyxl.load_workbook(template_path(layout), data_only=True)
    edit(workbook)
    path = tmp_path / f"broken-{layout}.xlsx"
    workbook.save(path)
    return path


def problems(source) -> list[ConfigProblem]:
    with pytest.raises(ConfigError) as info:
        read_workbook(source)
    assert isinstance(info.value, ValueError)
    assert info.value.problems
    return info.value.problems


def where(problem: ConfigProblem) -> tuple:
    return (problem.sheet, problem.table, problem.row, problem.column, problem.cell)


def only(found: list[ConfigProblem]) -> ConfigProblem:
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def assert_file_problem(found: list[ConfigProblem], fragment: str) -> None:
    problem = only(found)
    assert where(problem) == (None, None, None, None, None)
    assert fragment in problem.message


@pytest.fixture(scope="module")
def reference_bytes() -> bytes:
    return template_path("2023").read_bytes()


# -- not a workbook at all --------------------------------------------------------------


def test_csv_text_is_rejected():
    found = problems(b"Hour,MON,TUE\n0,0,0\n1,0.5,0\n")
    assert_file_problem(found, "text file (CSV or similar), not a workbook")


def test_random_bytes_are_rejected():
    data = bytes([0x00, 0x9F]) + random.Random(7).randbytes(4000)
    assert_file_problem(problems(data), "not an Excel workbook (unrecognised content)")


def test_empty_file_is_rejected(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert_file_problem(problems(path), "the file is empty")


def test_ole_file_is_password_protected_or_legacy_xls():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    assert_file_problem(problems(data), "password-protected (encrypted) workbook or a legacy")


def test_truncated_zip_is_reported_as_damaged(reference_bytes):
    data = reference_bytes[: len(reference_bytes) // 2]
    assert_file_problem(problems(data), "zip structure is corrupt")


def test_corrupt_member_is_reported(reference_bytes):
    with zipfile.ZipFile(io.BytesIO(reference_bytes)) as archive:
        info = archive.getinfo("xl/workbook.xml")
    data = bytearray(reference_bytes)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start + 10, start + 60):
        data[offset] ^= 0x5A
    assert_file_problem(problems(bytes(data)), "the workbook could not be read")


def test_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert_file_problem(problems(buffer.getvalue()), "zip archive, not an Excel workbook")


def test_word_document_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<document/>")
    assert_file_problem(problems(buffer.getvalue()), "Office file but not an Excel workbook")


def test_missing_file_is_reported(tmp_path):
    assert_file_problem(problems(tmp_path / "nope.xlsx"), "file not found")


# -- far too large ----------------------------------------------------------------------


def test_file_far_too_large_is_rejected_before_parsing(tmp_path):
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(21 * 1024 * 1024)
    assert_file_problem(problems(path), "the file is too large")
    assert_file_problem(problems(io.BytesIO(path.read_bytes())), "the file is too large")


def test_zip_bomb_is_rejected_before_parsing(reference_bytes):
    """A small file with a part unpacking to more than the per-part and total limits
    (settings HOSPITAL_TWIN_MAX_WORKBOOK_PART_BYTES / _UNPACKED_BYTES, 10 and 25 MB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(reference_bytes)) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        with target.open("xl/media/padding.bin", "w", force_zip64=True) as member:
            chunk = bytes(1 << 20)
            for _ in range(30):
                member.write(chunk)
    assert len(buffer.getvalue()) < 1024 * 1024
    found = problems(buffer.getvalue())
    assert [where(p) for p in found] == [(None, None, None, None, None)] * 2
    assert "xl/media/padding.bin unpacks to 31.5 MB, more than the 10 MB allowed per part" \
        in found[0].message
    assert "unpacks to 31.7 MB, more than the 25 MB allowed in total" in found[1].message


# -- layout, sheets, tables, names ------------------------------------------------------


def test_neither_layout_sheet(tmp_path):
    def edit(workbook):
        workbook["Resources"].title = "Staff"

    problem = only(problems(build(tmp_path, "2023", edit)))
    assert problem.message == LAYOUT_MESSAGE
    assert where(problem) == (None, None, None, None, None)


def test_both_layout_sheets(tmp_path):
    def edit(workbook):
        workbook.create_sheet("Resource Allocation")

    assert only(problems(build(tmp_path, "2023", edit))).message == LAYOUT_MESSAGE


def test_missing_table(tmp_path):
    def edit(workbook):
        del workbook["Batch Sizes"].tables["BatchSizes"]

    problem = only(problems(build(tmp_path, "2024", edit)))
    assert where(problem) == ("Batch Sizes", "BatchSizes", None, None, None)
    assert problem.message == 'missing table "BatchSizes" (expected on sheet "Batch Sizes")'


def test_missing_sheet_reports_its_table_and_names(tmp_path):
    def edit(workbook):
        del workbook["Task Durations"]
        del workbook["Processing Variables"]

    found = problems(build(tmp_path, "2023", edit))
    assert [where(p) for p in found] == [
        ("Task Durations", "TaskDurations", None, None, None),
        ("Processing Variables", "name ProbDecalcBone", None, None, "B2"),
        ("Processing Variables", "name ProbDecalcOven", None, None, "B3"),
    ]
    assert found[1].message == (
        'defined name "ProbDecalcBone" refers to sheet "Processing Variables", '
        "which does not exist"
    )


def test_missing_defined_name(tmp_path):
    def edit(workbook):
        del workbook.defined_names["ProbInternal"]

    problem = only(problems(build(tmp_path, "2024", edit)))
    assert where(problem) == ("Reception Variables", "name ProbInternal", None, None, None)
    assert problem.message == 'missing defined name "ProbInternal"'


def test_defined_name_with_a_broken_or_wrong_sized_reference(tmp_path):
    def edit(workbook):
        workbook.defined_names["ProbPrebook"].attr_text = "#REF!"
        workbook.defined_names["ProbMegaBlocks"].attr_text = "'Cut-up Variables'!$D$5:$E$5"
        workbook.defined_names["NumSlidesMegas"].attr_text = "'Microtomy Variables'!$E$6:$G$6"

    found = problems(build(tmp_path, "2023", edit))
    assert [where(p) for p in found] == [
        ("Reception Variables", "name ProbPrebook", None, None, None),
        ("Cut-up Variables", "name ProbMegaBlocks", None, None, "D5:E5"),
        ("Microtomy Variables", "name NumSlidesMegas", None, None, "E6:G6"),
    ]
    assert "expected a cell on one sheet" in found[0].message
    assert found[1].message.endswith("refers to 2 cells (D5:E5); expected a single cell")
    assert found[2].message.endswith(
        "refers to 3 cells (E6:G6); expected a range of 4 cells (type, low, mode, high)"
    )


def test_2024_requires_runner_table_and_names(tmp_path):
    def edit(workbook):
        del workbook["Runner Times output"]
        del workbook.defined_names["runnerSpeed"]

    found = problems(build(tmp_path, "2024", edit))
    assert [where(p) for p in found] == [
        ("Runner Times output", "tableRunnerDistances", None, None, None),
        ("Runner Times", "name runnerSpeed", None, None, None),
    ]


def test_2023_does_not_require_runner_items(tmp_path):
    def edit(workbook):
        del workbook.defined_names["Locations"]
        del workbook.defined_names["RunnerTimes"]
        del workbook.defined_names["ProbRoutineCancer"]

    config = read_workbook(build(tmp_path, "2023", edit))
    assert config.runner.distances_m is None
    assert config.globals.prob_routine_cancer is None


# -- row labels and columns -------------------------------------------------------------


def test_missing_row_label(tmp_path):
    def edit(workbook):
        for cell in workbook["Task Durations"][10][:6]:  # the whole Cut-up (BMS) row
            cell.value = None

    problem = only(problems(build(tmp_path, "2023", edit)))
    assert where(problem) == (*TASKS, "Cut-up (BMS)", "Task", None)
    assert problem.message == 'missing task row "Cut-up (BMS)"'


def test_unknown_row_label_and_faults_in_other_rows(tmp_path):
    def edit(workbook):
        workbook["Task Durations"]["A11"] = "Cut-up (Pool)"
        workbook["Task Durations"]["C3"] = "thirty"  # Receive and sort, Optimistic

    found = problems(build(tmp_path, "2023", edit))
    assert [where(p) for p in found] == [
        (*TASKS, "Cut-up (Pool)", "Task", "A11"),
        (*TASKS, "Cut-up (pool)", "Task", None),
        (*TASKS, "Receive and sort", "Optimistic", "C3"),
    ]
    assert found[0].message == (
        'unknown task "Cut-up (Pool)" (did you mean "Cut-up (pool)"? labels are case-sensitive)'
    )
    assert found[2].message == "expected a number, got 'thirty'"


def test_duplicate_row_label(tmp_path):
    def edit(workbook):
        workbook["Resources"]["A5"] = "BMS"  # was Cut-up assistant

    found = problems(build(tmp_path, "2023", edit))
    assert [where(p) for p in found] == [
        ("Resources", "Resources", "BMS", "Resource", "A5"),
        ("Resources", "Resources", "Cut-up assistant", "Resource", None),
    ]
    assert found[0].message == 'duplicate resource "BMS" (also in row 4)'
    assert found[1].message == 'missing resource row "Cut-up assistant"'


def test_unknown_batch_and_runner_journey(tmp_path):
    def edit(workbook):
        workbook["Batch Sizes"]["A7"] = "Bone station"
        workbook["Runner Times output"]["A3"] = "(reception, cut-up)"

    found = problems(build(tmp_path, "2024", edit))
    assert [where(p) for p in found] == [
        ("Batch Sizes", "BatchSizes", "Bone station", "Batch Name", "A7"),
        ("Batch Sizes", "BatchSizes", "Bone station (blocks)", "Batch Name", None),
        ("Runner Times output", "tableRunnerDistances", "(reception, cut-up)",
         "runner_journey", "A3"),
        ("Runner Times output", "tableRunnerDistances", "(reception, cutup)",
         "runner_journey", None),
    ]


def test_missing_column(tmp_path):
    def edit(workbook):
        workbook["Task Durations"]["D2"] = "Most likely"
        workbook["Resources"]["B2"] = "Mon"

    found = problems(build(tmp_path, "2023", edit))
    assert [where(p) for p in found] == [
        ("Resources", "Resources", None, "MON", None),
        (*TASKS, None, "Most Likely", None),
    ]
    assert found[1].message == (
        'missing column "Most Likely" (did you mean "Most likely"? labels are case-sensitive)'
    )


# -- values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layout", "cell", "value", "location", "message"),
    [
        ("2023", "C10", "abc", (*TASKS, "Cut-up (BMS)", "Optimistic", "C10"),
         "expected a number, got 'abc'"),
        ("2024", "C14", "1,5", (*TASKS, "Cut-up (BMS)", "Optimistic", "C14"),
         "expected a number, got '1,5'"),
        ("2023", "B12", "Normal", (*TASKS, "Cut-up (large specimens)", "Distribution", "B12"),
         "expected 'Constant', 'Triangular' or 'PERT', got 'Normal'"),
        ("2023", "F13", "fortnights", (*TASKS, "Load bone station", "Units", "F13"),
         "expected 'sec', 'min' or 'hour', got 'fortnights'"),
        ("2023", "C11", 4, (*TASKS, "Cut-up (pool)", "Optimistic, Most Likely, Pessimistic",
                            "C11:E11"),
         "expected Optimistic <= Most Likely <= Pessimistic, got 4, 3, 5"),
        ("2023", "E10", -2, (*TASKS, "Cut-up (BMS)", "Pessimistic", "E10"),
         "expected a number >= 0, got -2"),
        ("2023", "C10", None, (*TASKS, "Cut-up (BMS)", "Optimistic, Most Likely, Pessimistic",
                               "C10:E10"),
         "PERT needs Optimistic and Pessimistic values"),
    ],
)
def test_bad_task_value(tmp_path, layout, cell, value, location, message):
    def edit(workbook):
        workbook["Task Durations"][cell] = value

    problem = only(problems(build(tmp_path, layout, edit)))
    assert where(problem) == location
    assert problem.message == message


def test_unit_words_starting_with_s_m_h_are_accepted(tmp_path):
    def edit(workbook):
        workbook["Task Durations"]["F3"] = "seconds"
        workbook["Task Durations"]["F4"] = "Minutes"
        workbook["Task Durations"]["F14"] = "hrs"

    tasks = read_workbook(build(tmp_path, "2023", edit)).task_durations
    assert (tasks["Receive and sort"].unit, tasks["Pre-booking-in investigation"].unit,
            tasks["Decalc"].unit) == ("sec", "min", "hour")


def test_negative_arrival_rate(tmp_path):
    def edit_2023(workbook):
        workbook["Arrival Schedules"]["B12"] = -3  # cancer, Monday 09:00

    def edit_2024(workbook):
        workbook["Arrival Schedules"]["H44"] = -0.5  # non-cancer, Sunday 10:00

    problem = only(problems(build(tmp_path, "2023", edit_2023)))
    assert where(problem) == (*CANCER, "9", "MON", "B12")
    assert problem.message == "expected a number >= 0, got -3"

    problem = only(problems(build(tmp_path, "2024", edit_2024)))
    assert where(problem) == ("Arrival Schedules", "ArrivalScheduleNonCancer", "10", "SUN",
                              "H44")
    assert problem.message == "expected a number >= 0, got -0.5"


def test_text_in_arrivals(tmp_path):
    def edit(workbook):
        workbook["Arrival Schedules"]["C15"] = "many"  # cancer, Tuesday 12:00

    problem = only(problems(build(tmp_path, "2023", edit)))
    assert where(problem) == (*CANCER, "12", "TUE", "C15")
    assert problem.message == "expected a number, got 'many'"


@pytest.mark.parametrize(
    ("cell", "value", "location", "message"),
    [
        ("G3", 1.7, ("Reception Variables", "name ProbInternal", None, None, "G3"),
         "expected a probability between 0 and 1, got 1.7"),
        ("J3", -0.1, ("Reception Variables", "name ProbPrebook", None, None, "J3"),
         "expected a probability between 0 and 1, got -0.1"),
        ("J4", "five %", ("Reception Variables", "name ProbInvestEasy", None, None, "J4"),
         "expected a number, got 'five %'"),
    ],
)
def test_bad_probability(tmp_path, cell, value, location, message):
    def edit(workbook):
        workbook["Reception Variables"][cell] = value

    problem = only(problems(build(tmp_path, "2023", edit)))
    assert where(problem) == location
    assert problem.message == message


def test_cutup_probabilities_must_sum_to_one(tmp_path):
    def edit(workbook):
        workbook["Cut-up Variables"]["B7"] = 0.35  # ProbPoolCutup

    problem = only(problems(build(tmp_path, "2024", edit)))
    assert where(problem) == (
        "Cut-up Variables", "name ProbBMSCutup + ProbPoolCutup + ProbLargeCutup", None, None,
        "B6, B7, B8",
    )
    assert problem.message == "ProbBMSCutup + ProbPoolCutup + ProbLargeCutup = 1.1, expected 1"


def test_urgent_and_priority_may_not_exceed_one(tmp_path):
    def edit(workbook):
        workbook["Reception Variables"]["B6"] = 0.98  # ProbUrgentNonCancer

    problem = only(problems(build(tmp_path, "2024", edit)))
    assert where(problem) == ("Reception Variables",
                              "name ProbUrgentNonCancer + ProbPriorityNonCancer", None, None,
                              "B6, C6")
    assert problem.message == (
        "ProbUrgentNonCancer + ProbPriorityNonCancer = 1.02171, expected at most 1"
    )


def test_routine_must_complete_the_2023_priorities(tmp_path):
    def edit(workbook):
        workbook["Reception Variables"]["D3"] = 0.7  # ProbRoutineCancer

    problem = only(problems(build(tmp_path, "2023", edit)))
    assert problem.table == "name ProbUrgentCancer + ProbPriorityCancer + ProbRoutineCancer"
    assert (problem.sheet, problem.cell) == ("Reception Variables", "B3, C3, D3")
    assert problem.message.endswith("= 0.918767, expected 1")


@pytest.mark.parametrize(
    ("cell", "value", "location", "message"),
    [
        ("J3", 0, ("Cut-up Variables", "name NumBlocksMega", None, "low", "J3"),
         "expected a number > 0, got 0"),
        ("I3", "Poisson", ("Cut-up Variables", "name NumBlocksMega", None, "distribution", "I3"),
         "expected 'Constant', 'IntTriangular' or 'IntPERT', got 'Poisson'"),
        ("K4", 2.5, ("Cut-up Variables", "name NumBlocksLargeSurgical", None, "mode", "K4"),
         "expected a whole number, got 2.5"),
        ("J4", 20, ("Cut-up Variables", "name NumBlocksLargeSurgical", None, None, "I4:L4"),
         "expected low <= mode <= high, got 20, 10, 50"),
    ],
)
def test_bad_count_distribution(tmp_path, cell, value, location, message):
    def edit(workbook):
        workbook["Cut-up Variables"][cell] = value

    problem = only(problems(build(tmp_path, "2023", edit)))
    assert where(problem) == location
    assert problem.message == message


@pytest.mark.parametrize(
    ("cell", "value", "location", "message"),
    [
        ("B4", 2, ("Resources", "Resources", "BMS", "MON", "B4"),
         "expected 1 or 0 (or TRUE/FALSE), got 2"),
        ("AA4", 2.5, ("Resources", "Resources", "BMS", "09:00", "AA4"),
         "expected a whole number, got 2.5"),
        ("AA5", -1, ("Resources", "Resources", "Cut-up assistant", "09:00", "AA5"),
         "expected a number >= 0, got -1"),
    ],
)
def test_bad_resource_value(tmp_path, cell, value, location, message):
    def edit(workbook):
        workbook["Resources"][cell] = value

    problem = only(problems(build(tmp_path, "2023", edit)))
    assert where(problem) == location
    assert problem.message == message


def test_bad_batch_size(tmp_path):
    def edit(workbook):
        workbook["Batch Sizes"]["B3"] = 0
        workbook["Batch Sizes"]["B4"] = "thirty"

    found = problems(build(tmp_path, "2023", edit))
    assert [(where(p), p.message) for p in found] == [
        (("Batch Sizes", "BatchSizes", "Delivery (cut-up to processing)", "Size", "B3"),
         "expected a number > 0, got 0"),
        (("Batch Sizes", "BatchSizes", "Bone station (blocks)", "Size", "B4"),
         "expected a number, got 'thirty'"),
    ]


def test_bad_runner_values(tmp_path):
    def edit(workbook):
        workbook["Runner Times output"]["B4"] = -6.97
        workbook["Runner Times"]["B15"] = 0  # runnerSpeed

    found = problems(build(tmp_path, "2024", edit))
    assert [(where(p), p.message) for p in found] == [
        (("Runner Times", "name runnerSpeed", None, None, "B15"),
         "expected a number > 0, got 0"),
        (("Runner Times output", "tableRunnerDistances", "(cutup, processing)", "distance_m",
          "B4"), "expected a number >= 0, got -6.97"),
    ]


# -- arrival rows: wrong length and bad Hour values -------------------------------------


def test_schedule_with_an_hour_missing(tmp_path):
    def edit(workbook):
        table = workbook["Arrival Schedules"].tables["ArrivalScheduleCancer"]
        table.ref = table.autoFilter.ref = "A2:H25"  # hours 0..22 only

    problem = only(problems(build(tmp_path, "2023", edit)))
    assert where(problem) == (*CANCER, "23", "Hour", None)
    assert problem.message == "missing the row for Hour 23 (expected one row for each hour 0-23)"


def test_schedule_with_an_extra_hour(tmp_path):
    def edit(workbook):
        sheet = workbook["Arrival Schedules"]
        table = sheet.tables["ArrivalScheduleCancer"]
        table.ref = table.autoFilter.ref = "A2:H27"
        for column, value in zip("ABCDEFGH", [24, 1, 1, 1, 1, 1, 0, 0], strict=True):
            sheet[f"{column}27"] = value

    problem = only(problems(build(tmp_path, "2023", edit)))
    assert where(problem) == (*CANCER, "24", "Hour", "A27")
    assert problem.message == "expected an Hour, a whole number 0-23, got 24"


def test_bad_hour_values(tmp_path):
    def edit(workbook):
        sheet = workbook["Arrival Schedules"]
        sheet["A8"] = 3.5  # was 5
        sheet["A9"] = "abc"  # was 6
        sheet["A10"] = 4  # was 7: a second Hour 4

    found = problems(build(tmp_path, "2023", edit))
    assert [(where(p), p.message) for p in found] == [
        ((*CANCER, "3.5", "Hour", "A8"), "expected an Hour, a whole number 0-23, got 3.5"),
        ((*CANCER, "abc", "Hour", "A9"), "expected an Hour, a whole number 0-23, got 'abc'"),
        ((*CANCER, "4", "Hour", "A10"), "duplicate Hour 4 (also in row 7)"),
        ((*CANCER, "5", "Hour", None),
         "missing the row for Hour 5 (expected one row for each hour 0-23)"),
        ((*CANCER, "6", "Hour", None),
         "missing the row for Hour 6 (expected one row for each hour 0-23)"),
        ((*CANCER, "7", "Hour", None),
         "missing the row for Hour 7 (expected one row for each hour 0-23)"),
    ]


def test_blank_rows_and_a_total_row_are_ignored(tmp_path):
    def edit(workbook):
        sheet = workbook["Arrival Schedules"]
        table = sheet.tables["ArrivalScheduleNonCancer"]
        table.ref = table.autoFilter.ref = "A29:H55"
        sheet["A54"] = "Total"  # the SUM row below the table, now inside it
        # row 55 stays blank

    config = read_workbook(build(tmp_path, "2023", edit))
    assert config.expected_weekly_arrivals()["noncancer"] == pytest.approx(796.99, abs=0.01)


# -- formulas and Excel errors ----------------------------------------------------------


def test_formula_without_cached_value_names_the_cell(tmp_path):
    def edit(workbook):
        workbook["Task Durations"]["C10"] = "=1+1"
        workbook["Reception Variables"]["G3"] = "=0.5+0.25"

    found = problems(build(tmp_path, "2023", edit))
    assert [where(p) for p in found] == [
        (*TASKS, "Cut-up (BMS)", "Optimistic", "C10"),
        ("Reception Variables", "name ProbInternal", None, None, "G3"),
    ]
    assert found[0].message.startswith("the formula =1+1 has no cached value")
    assert found[1].message.startswith("the formula =0.5+0.25 has no cached value")


def test_excel_error_value(tmp_path):
    def edit(workbook):
        workbook["Processing Variables"]["B2"] = "#DIV/0!"

    problem = only(problems(build(tmp_path, "2023", edit)))
    assert where(problem) == ("Processing Variables", "name ProbDecalcBone", None, None, "B2")
    assert problem.message == "the cell shows the Excel error #DIV/0!; expected a value"


# -- the optional 11.C17 and run-settings sheets ---------------------------------------


def add_parameter_sheet(workbook: Workbook, title: str, values: dict) -> None:
    sheet = workbook.create_sheet(title)
    for row, (name, value) in enumerate(values.items(), start=2):
        sheet[f"A{row}"], sheet[f"B{row}"] = name, value
        workbook.defined_names[name] = DefinedName(name, attr_text=f"'{title}'!$B${row}")


def test_bad_batch_release_and_run_settings(tmp_path):
    def edit(workbook):
        add_parameter_sheet(workbook, "Batch Release",
                            {"batch_release": "sometimes", "processing_start_time": "25:00"})
        add_parameter_sheet(workbook, "Run Settings", {"sim_hours": 5, "warmup_hours": 10})

    found = problems(build(tmp_path, "2024", edit))
    assert [(where(p), p.message) for p in found] == [
        (("Batch Release", "name batch_release", None, None, "B2"),
         "expected 'timed' or 'full_only', got 'sometimes'"),
        (("Batch Release", "name processing_start_time", None, None, "B3"),
         "expected a time HH:MM between 00:00 and 23:59, got '25:00'"),
        (("Run Settings", "name warmup_hours", None, None, "B3"),
         "warm-up (10 h) must be shorter than the run (5 h)"),
    ]


# -- everything at once -----------------------------------------------------------------


def test_several_faults_are_all_reported(tmp_path):
    path = build(tmp_path, "2023", _several_faults)
    with pytest.raises(ConfigError) as info:
        read_workbook(path)
    found = info.value.problems
    assert {where(p) for p in found} == {
        (*TASKS, "Cut-up (BMS)", "Optimistic", "C10"),
        (*TASKS, "Cut-up (large specimens)", "Distribution", "B12"),
        (*CANCER, "9", "MON", "B12"),
        ("Reception Variables", "name ProbInternal", None, None, "G3"),
        ("Reception Variables", "name ProbPrebook", None, None, None),
        ("Cut-up Variables", "name ProbBMSCutup + ProbPoolCutup + ProbLargeCutup", None, None,
         "B3, B4, B5"),
        ("Resources", "Resources", "Booking-in Staff", "Resource", "A3"),
        ("Resources", "Resources", "Booking-in staff", "Resource", None),
        ("Resources", "Resources", "BMS", "MON", "B4"),
        ("Batch Sizes", "BatchSizes", "Delivery (cut-up to processing)", "Size", "B3"),
    }
    assert len(found) == 10
    assert str(info.value).startswith("broken-2023.xlsx: 10 problems:")
    dicts = info.value.as_dicts()
    assert dicts[0].keys() == {"message", "sheet", "table", "row", "column", "cell", "text"}


def _several_faults(workbook: Workbook) -> None:
    workbook["Task Durations"]["C10"] = "abc"
    workbook["Task Durations"]["B12"] = "Normal"
    workbook["Arrival Schedules"]["B12"] = -3
    workbook["Reception Variables"]["G3"] = 1.7
    workbook["Cut-up Variables"]["B4"] = 0.35
    del workbook.defined_names["ProbPrebook"]
    workbook["Resources"]["A3"] = "Booking-in Staff"
    workbook["Resources"]["B4"] = 2
    workbook["Batch Sizes"]["B3"] = 0


# -- JSON configurations ----------------------------------------------------------------


@pytest.fixture(scope="module")
def reference_json() -> dict:
    return json.loads(read_workbook(template_path("2023")).model_dump_json())


def test_json_errors_have_readable_paths(tmp_path, reference_json):
    data = json.loads(json.dumps(reference_json))
    data["task_durations"]["Cut-up (BMS)"]["low"] = "abc"
    data["globals"]["prob_internal"] = 1.5
    data["arrivals"]["cancer"] = data["arrivals"]["cancer"][:100]
    path = tmp_path / "lab.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    messages = [p.message for p in info.value.problems]
    assert messages == [
        "arrivals > cancer: expected 168 hourly values, got 100",
        "task_durations > Cut-up (BMS) > low: expected a number, got 'abc'",
        "globals > prob_internal: expected a probability between 0 and 1, got 1.5",
    ]
    assert info.value.source == "lab.json"


def test_invalid_json_and_unknown_suffix(tmp_path):
    path = tmp_path / "lab.json"
    path.write_text("{not json")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert only(info.value.problems).message.startswith("invalid JSON")
    other = tmp_path / "lab.csv"
    other.write_text("a,b\n")
    with pytest.raises(ConfigError) as info:
        load_config(other)
    assert only(info.value.problems).message == (
        'unsupported file type ".csv"; expected .xlsx or .json'
    )


def test_valid_json_loads(tmp_path, reference_json):
    path = tmp_path / "lab.json"
    path.write_text(json.dumps(reference_json))
    assert load_config(path) == LabConfig.model_validate(reference_json)
