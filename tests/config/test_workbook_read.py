"""Reading the hospital's two reference workbooks (2023 and 2024 layouts).

The bundled templates are byte-for-byte copies of the hospital's reference workbooks
(``cuh-config.xlsx`` and ``cuh-config-2024.xlsx``, pinned below by SHA-256); the expected
numbers come from ``histopathology-model.md`` section 12 and
``earlier-implementation.md`` section 9.3.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from hospital_twin.config import (
    BatchRelease,
    ConfigError,
    LabConfig,
    RunnerTimes,
    RunSettings,
    default_config,
    load_config,
    read_workbook,
    template_path,
)
from hospital_twin.config.labels import BATCHES, DAYS, HALF_HOURS, RESOURCES, TASKS
from hospital_twin.config.workbook import PROGRAMME_START_LABELS

SLOT = {label: index for index, label in enumerate(HALF_HOURS)}


@pytest.fixture(scope="module")
def configs() -> dict[str, LabConfig]:
    return {layout: read_workbook(template_path(layout)) for layout in ("2023", "2024")}


def roster(*spans: tuple[str, str, int]) -> list[int]:
    """48 half-hour units from (start, end, units) spans; everything else 0."""
    units = [0] * 48
    for start, end, value in spans:
        for slot in range(SLOT[start], SLOT[end] if end != "24:00" else 48):
            units[slot] = value
    return units


WEEKDAYS = [True] * 5 + [False] * 2


# -- layout and structure ---------------------------------------------------------------


@pytest.mark.parametrize("layout", ["2023", "2024"])
def test_layout_is_detected_and_recorded(configs, layout):
    assert configs[layout].layout == layout


@pytest.mark.parametrize("layout", ["2023", "2024"])
def test_every_label_is_read_in_canonical_order(configs, layout):
    config = configs[layout]
    assert tuple(config.resources) == RESOURCES
    assert tuple(config.task_durations) == TASKS
    assert tuple(config.batch_sizes) == BATCHES


#: SHA-256 of the hospital's reference workbooks, as handed over with the specification.
REFERENCE_SHA256 = {
    "cuh-config.xlsx": "62d5304feaac91499c1b8b30df6a5af39ee704aa7b4c52f3562a2b0e3df7d2ab",
    "cuh-config-2024.xlsx": "78175d6432bb60af78631cdf7a27de94a6752a9370eac2ade97c08b50d3a14c0",
}


def test_templates_are_the_reference_workbooks():
    # pinned by checksum, so the suite needs nothing beside the repository
    for layout, name in (("2023", "cuh-config.xlsx"), ("2024", "cuh-config-2024.xlsx")):
        assert template_path(layout).name == name
        digest = hashlib.sha256(template_path(layout).read_bytes()).hexdigest()
        assert digest == REFERENCE_SHA256[name], f"{name} differs from the reference workbook"


def test_template_path_rejects_an_unknown_layout():
    with pytest.raises(ValueError, match="unknown layout '2025'"):
        template_path("2025")


# -- arrivals ---------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["2023", "2024"])
def test_weekly_arrivals(configs, layout):
    weekly = configs[layout].expected_weekly_arrivals()
    assert weekly["cancer"] == pytest.approx(685.44, abs=0.01)
    assert weekly["noncancer"] == pytest.approx(796.99, abs=0.01)


@pytest.mark.parametrize("layout", ["2023", "2024"])
def test_arrivals_are_flattened_day_by_day_from_monday_midnight(configs, layout):
    arrivals = configs[layout].arrivals
    assert len(arrivals.cancer) == len(arrivals.noncancer) == 168
    # Peak cancer rate: Monday 09:00 (index 9), 31.9/h.
    assert arrivals.cancer[9] == pytest.approx(31.88, abs=0.01)
    assert max(arrivals.cancer) == arrivals.cancer[9]
    # The non-cancer Wednesday 00:00 oddity, kept for fidelity: index 2*24 + 0.
    assert arrivals.noncancer[48] == pytest.approx(4.2798594305601965)
    daily_cancer = [sum(arrivals.cancer[d * 24:(d + 1) * 24]) for d in range(7)]
    daily_noncancer = [sum(arrivals.noncancer[d * 24:(d + 1) * 24]) for d in range(7)]
    assert daily_cancer == pytest.approx([161.2, 149.5, 123.9, 134.3, 110.4, 6.0, 0.175],
                                         abs=0.05)
    assert daily_noncancer == pytest.approx([143.4, 180.0, 174.2, 157.2, 132.7, 8.9, 0.525],
                                            abs=0.05)
    # Sunday cancer only at 11:00.
    assert [h for h in range(24) if arrivals.cancer[6 * 24 + h] > 0] == [11]


def test_2024_totals_row_is_dropped(configs):
    # The 2024 tables hold a "Total" row inside the table; both layouts give the same 168.
    assert configs["2024"].arrivals == configs["2023"].arrivals


# -- resources --------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["2023", "2024"])
def test_staff_rosters(configs, layout):
    resources = configs[layout].resources
    bms = resources["BMS"]
    assert bms.working_days == WEEKDAYS
    assert bms.half_hour_units == roster(("09:00", "12:30", 5), ("13:30", "17:30", 5))
    assert resources["Booking-in staff"].half_hour_units == roster(
        ("07:30", "09:00", 2), ("09:00", "12:00", 4), ("12:00", "14:00", 2),
        ("14:00", "17:30", 4), ("17:30", "18:30", 2), ("18:30", "20:00", 1),
    )
    assert resources["Histopathologist"].half_hour_units == roster(
        ("09:00", "10:00", 9), ("10:00", "12:00", 18), ("12:00", "14:00", 9),
        ("14:00", "16:30", 18), ("16:30", "17:30", 9),
    )
    assert resources["Microtomy staff"].half_hour_units == roster(
        ("09:00", "12:00", 10), ("12:00", "14:00", 5), ("14:00", "17:30", 10)
    )
    for staff in ("Booking-in staff", "Cut-up assistant", "QC staff", "Histopathologist"):
        assert resources[staff].working_days == WEEKDAYS


def test_scanning_staff_differs_between_layouts(configs):
    assert configs["2023"].resources["Scanning staff"].half_hour_units == roster(
        ("09:00", "12:30", 2), ("13:30", "17:30", 2)
    )
    assert configs["2024"].resources["Scanning staff"].half_hour_units == roster(
        ("09:00", "17:30", 3)
    )


@pytest.mark.parametrize(
    ("machine", "units_2023", "units_2024"),
    [
        ("Bone station", 3, 3),
        ("Processing machine", 10, 5),
        ("Staining machine", 2, 2),
        ("Coverslip machine", 2, 2),
        ("Scanning machine (regular)", 5, 5),
        ("Scanning machine (megas)", 2, 3),
    ],
)
def test_machines_run_around_the_clock(configs, machine, units_2023, units_2024):
    for layout, units in (("2023", units_2023), ("2024", units_2024)):
        schedule = configs[layout].resources[machine]
        assert schedule.working_days == [True] * 7
        assert schedule.half_hour_units == [units] * 48


def test_only_three_resources_differ_between_layouts(configs):
    differing = [r for r in RESOURCES
                 if configs["2023"].resources[r] != configs["2024"].resources[r]]
    assert differing == ["Scanning staff", "Processing machine", "Scanning machine (megas)"]


# -- task durations ---------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["2023", "2024"])
@pytest.mark.parametrize(
    ("task", "distribution", "low", "mode", "high", "unit"),
    [
        ("Receive and sort", "PERT", 30, 60, 90, "sec"),
        ("Cut-up (BMS)", "PERT", 1, 1.5, 2, "min"),
        ("Cut-up (large specimens)", "PERT", 5, 10, 30, "min"),
        ("Decalc", "Constant", 24, 24, 24, "hour"),
        ("Microtomy (larges)", "PERT", 1.5, 2, 2.5, "min"),
        ("Labelling", "PERT", 10, 15, 20, "sec"),
        ("Block and quality check", "PERT", 2, 5, 10, "min"),
        ("Write histopathological report", "PERT", 15, 20, 30, "min"),
    ],
)
def test_task_durations(configs, layout, task, distribution, low, mode, high, unit):
    duration = configs[layout].task_durations[task]
    assert (duration.distribution, duration.low, duration.mode, duration.high, duration.unit) \
        == (distribution, low, mode, high, unit)


@pytest.mark.parametrize("layout", ["2023", "2024"])
def test_formula_cells_give_their_cached_values(configs, layout):
    tasks = configs[layout].task_durations
    expected = {
        "Processing machine (urgent)": 2 + 18 / 60,
        "Processing machine (small surgicals)": 13 + 5 / 6,
        "Processing machine (large surgicals)": 15 + 5 / 6,
    }
    for task, hours in expected.items():
        duration = tasks[task]
        assert duration.distribution == "Constant"
        assert duration.unit == "hour"
        assert (duration.low, duration.mode, duration.high) == pytest.approx((hours,) * 3)
    assert tasks["Processing machine (urgent)"].mean_hours() == pytest.approx(2.3)


def test_task_notes_come_from_the_2024_note_column(configs):
    notes_2024 = {task: d.note for task, d in configs["2024"].task_durations.items()}
    assert notes_2024["Receive and sort"] == "Per specimen"
    assert notes_2024["Labelling"] == "Per slide"
    assert notes_2024["Coverslipping (megas)"] == "Per batch of slides"
    assert all(d.note is None for d in configs["2023"].task_durations.values())
    # Apart from the notes, the task durations are identical in both layouts.
    without_notes = {t: d.model_copy(update={"note": None})
                     for t, d in configs["2024"].task_durations.items()}
    assert without_notes == configs["2023"].task_durations


# -- batch sizes ------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["2023", "2024"])
def test_batch_sizes(configs, layout):
    sizes = configs[layout].batch_sizes
    assert sizes["Delivery (reception to cut-up)"] == 50
    assert sizes["Bone station (blocks)"] == 30
    assert sizes["Processing machine (regular blocks)"] == 300
    assert sizes["Processing machine (mega blocks)"] == 36
    assert sizes["Staining (regular slides)"] == 300
    assert sizes["Scanning (regular slides)"] == 150
    assert sizes["Scanning (mega slides)"] == 10
    assert sizes["Delivery (scanning to QC)"] == 50
    # Not in either workbook: the default of the new urgent-processing batch size.
    assert sizes["Processing machine (urgent blocks)"] == 20


# -- global parameters ------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["2023", "2024"])
def test_global_probabilities_and_counts(configs, layout):
    g = configs[layout].globals
    assert g.prob_urgent_cancer == pytest.approx(0.098705, abs=1e-6)
    assert g.prob_priority_cancer == pytest.approx(0.120062, abs=1e-6)
    assert g.prob_urgent_noncancer == pytest.approx(0.092455, abs=1e-6)
    assert g.prob_priority_noncancer == pytest.approx(0.041714, abs=1e-6)
    assert g.prob_internal == 0.756
    assert (g.prob_prebook, g.prob_invest_easy, g.prob_invest_hard, g.prob_invest_external) \
        == (0.05, 0.05, 0.01, 0.03)
    assert (g.prob_bms_cutup, g.prob_pool_cutup, g.prob_large_cutup) == (0.5, 0.25, 0.25)
    assert (g.prob_bms_cutup_urgent, g.prob_pool_cutup_urgent, g.prob_large_cutup_urgent) \
        == (0.8, 0.2, 0)
    assert g.prob_mega_blocks == 0.14
    assert (g.prob_decalc_bone, g.prob_decalc_oven) == (0.02, 0.05)
    assert g.prob_microtomy_levels == 0.75
    counts = {
        "num_blocks_mega": (1, 2, 5),
        "num_blocks_large_surgical": (1, 10, 50),
        "num_slides_levels": (1, 3, 6),
        "num_slides_serials": (5, 10, 20),
        "num_slides_larges": (1, 3, 6),
        "num_slides_megas": (1, 2, 5),
    }
    for field, (low, mode, high) in counts.items():
        count = getattr(g, field)
        assert (count.distribution, count.low, count.mode, count.high) \
            == ("IntPERT", low, mode, high)


def test_prob_routine_present_in_2023_only(configs):
    g2023, g2024 = configs["2023"].globals, configs["2024"].globals
    assert g2023.prob_routine_cancer == pytest.approx(0.781233, abs=1e-6)
    assert g2023.prob_routine_noncancer == pytest.approx(0.865830, abs=1e-6)
    assert g2024.prob_routine_cancer is None
    assert g2024.prob_routine_noncancer is None


# -- runner, batch release, run settings ------------------------------------------------


def test_runner_distances_from_the_2024_layout(configs):
    runner = configs["2024"].runner
    assert runner.speed_m_per_s == 1.2
    assert (runner.loading_time_s, runner.unloading_time_s) == (15, 15)
    assert runner.distances_m == pytest.approx({
        "(reception, cutup)": 8.45,
        "(cutup, processing)": 6.97,
        "(processing, microtomy)": 28.09,
        "(microtomy, staining)": 3.68,
        "(staining, labelling)": 3.68,
        "(labelling, scanning)": 86.90,
        "(scanning, qc)": 86.90,
    }, abs=0.005)
    # loading + 8.45 m / 1.2 m/s + unloading, in hours
    assert runner.outbound_hours("(reception, cutup)") == pytest.approx(
        (15 + 8.452305794138642 / 1.2 + 15) / 3600
    )


def test_2023_layout_has_default_runner_times(configs):
    assert configs["2023"].runner == RunnerTimes()
    assert configs["2023"].runner.outbound_hours("(scanning, qc)") == pytest.approx(2 / 60)


@pytest.mark.parametrize("layout", ["2023", "2024"])
def test_batch_release_and_run_settings_default_when_absent(configs, layout):
    # the 2024 layout gives each programme its start time ('Processing Variables' F5:F7)
    starts = dict.fromkeys(PROGRAMME_START_LABELS, "16:30") if layout == "2024" else {}
    assert configs[layout].batch_release == BatchRelease(**starts)
    assert configs[layout].run == RunSettings()


def test_2024_programme_start_times_come_from_processing_variables(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(template_path("2024"), data_only=True)
    sheet = workbook["Processing Variables"]
    assert [sheet[f"E{r}"].value for r in (5, 6, 7)] == [
        "Small surgicals", "Large surgicals", "Megas"]
    sheet["F5"], sheet["F6"], sheet["F7"] = dt.time(15, 0), None, dt.time(9, 45)
    path = tmp_path / "starts.xlsx"
    workbook.save(path)
    release = read_workbook(path).batch_release
    assert (release.processing_start_small, release.processing_start_large,
            release.processing_start_mega) == ("15:00", None, "09:45")
    # a blank start time falls back to processing_start_time
    assert release.programme_start_hour("large") == 16.5
    assert release.programme_start_hour("mega") == 9.75


def test_2024_bad_programme_start_time_names_its_cell(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(template_path("2024"), data_only=True)
    workbook["Processing Variables"]["F6"] = "late"
    path = tmp_path / "bad-start.xlsx"
    workbook.save(path)
    with pytest.raises(ConfigError) as caught:
        read_workbook(path)
    [problem] = caught.value.problems
    assert (problem.sheet, problem.cell) == ("Processing Variables", "F6")
    assert "late" in problem.message and "HH:MM" in problem.message


# -- sources and names ------------------------------------------------------------------


def test_every_kind_of_source_gives_the_same_config(configs):
    path = template_path("2023")
    data = path.read_bytes()
    assert read_workbook(str(path)) == configs["2023"]
    assert read_workbook(data) == configs["2023"]
    assert read_workbook(io.BytesIO(data)) == configs["2023"]
    with path.open("rb") as handle:
        assert read_workbook(handle) == configs["2023"]
    assert load_config(path) == configs["2023"]


def test_name_labels_the_error(tmp_path):
    with pytest.raises(ConfigError) as info:
        read_workbook(b"", name="upload.xlsx")
    assert info.value.source == "upload.xlsx"
    assert str(info.value).startswith("upload.xlsx: ")


def test_defined_names_are_followed_not_fixed_cells(tmp_path, configs):
    """Move ProbInternal to another cell: the reader follows the name."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(template_path("2023"), data_only=True)
    workbook["Reception Variables"]["N10"] = 0.6
    workbook.defined_names["ProbInternal"].attr_text = "'Reception Variables'!$N$10"
    path = tmp_path / "moved.xlsx"
    workbook.save(path)
    config = read_workbook(path)
    assert config.globals.prob_internal == 0.6
    assert configs["2023"].globals.prob_internal == 0.756
    assert config.globals.prob_prebook == configs["2023"].globals.prob_prebook


def test_tables_are_found_by_name_wherever_they_are(tmp_path, configs):
    """Move table BatchSizes three rows down and two columns right."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(template_path("2023"), data_only=True)
    sheet = workbook["Batch Sizes"]
    sheet.move_range("A1:C15", rows=3, cols=2)
    table = sheet.tables["BatchSizes"]
    table.ref = table.autoFilter.ref = "C4:E18"
    path = tmp_path / "moved-table.xlsx"
    workbook.save(path)
    # (openpyxl's own save rounds floats to 16 digits, so compare the moved table only)
    assert read_workbook(path).batch_sizes == configs["2023"].batch_sizes


def test_default_config_is_the_2023_workbook_and_a_fresh_copy(configs):
    first = default_config()
    assert first == configs["2023"]
    first.batch_sizes["Bone station (blocks)"] = 1
    first.arrivals.cancer[0] = 99.0
    assert default_config() == configs["2023"]


def test_day_flags_are_read_per_day(tmp_path):
    """A Saturday half-day for BMS: day flag and roster columns read independently."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(template_path("2023"), data_only=True)
    sheet = workbook["Resources"]
    # BMS is the 2nd resource row (row 4); SAT is column G.
    sheet["G4"] = 1
    sheet["I4"] = 1  # 00:00 on working days
    path = tmp_path / "saturday.xlsx"
    workbook.save(path)
    bms = read_workbook(path).resources["BMS"]
    assert bms.working_days == [True] * 6 + [False]
    assert bms.half_hour_units[0] == 1
    assert bms.weekly_capacity()[5 * 48 + SLOT["09:00"]] == 5
    assert DAYS[5] == "SAT"


def test_batch_release_and_run_settings_sheets_are_read(tmp_path):
    """Optional sheets with names spelled like the fields; an Excel time is accepted."""
    values = {
        "Batch Release": {
            "batch_release": "full_only",
            "delivery_release_interval_min": 30,
            "flush_before_shift_end": False,
            "machine_batch_max_wait_h": 1.5,
            "processing_start_time": dt.time(17, 0),
        },
        "Run Settings": {"sim_hours": 336, "replications": 5, "seed": 42, "warmup_hours": 24},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(template_path("2024"), data_only=True)
    for title, names in values.items():
        sheet = workbook.create_sheet(title)
        for row, (name, value) in enumerate(names.items(), start=2):
            sheet[f"A{row}"], sheet[f"B{row}"] = name, value
            workbook.defined_names[name] = DefinedName(name, attr_text=f"'{title}'!$B${row}")
    path = tmp_path / "with-parameters.xlsx"
    workbook.save(path)
    config = read_workbook(path)
    assert config.batch_release == BatchRelease(
        batch_release="full_only", delivery_release_interval_min=30,
        flush_before_shift_end=False, machine_batch_max_wait_h=1.5,
        processing_start_time="17:00",
        **dict.fromkeys(PROGRAMME_START_LABELS, "16:30"),  # F5:F7 of the 2024 template
    )
    assert config.batch_release.processing_start_hour == 17
    assert config.run == RunSettings(sim_hours=336, replications=5, seed=42, warmup_hours=24)
