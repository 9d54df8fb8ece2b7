"""Workbook -> model -> workbook -> model, and model -> JSON -> model, are lossless."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from hospital_twin.config import (
    BatchRelease,
    ConfigError,
    LabConfig,
    RunnerTimes,
    RunSettings,
    load_config,
    read_workbook,
    template_path,
    write_workbook,
)
from hospital_twin.config.labels import RUNNER_JOURNEYS, URGENT_PROCESSING_BATCH

LAYOUTS = ("2023", "2024")


@pytest.fixture(scope="module")
def configs() -> dict[str, LabConfig]:
    return {layout: read_workbook(template_path(layout)) for layout in LAYOUTS}


def written(config: LabConfig) -> bytes:
    buffer = io.BytesIO()
    write_workbook(config, buffer)
    return buffer.getvalue()


def modified(config: LabConfig) -> LabConfig:
    """A configuration that differs from the reference in every section."""
    data = config.model_dump()
    data["arrivals"]["cancer"][5] = 1.25
    data["arrivals"]["noncancer"][167] = 0.1 + 0.2  # needs 17 significant digits
    bms = data["resources"]["BMS"]
    bms["working_days"][5] = True  # Saturday
    bms["half_hour_units"][20] = 0  # a gap at 10:00
    bms["half_hour_units"][0] = 1
    cutup = data["task_durations"]["Cut-up (BMS)"]
    cutup.update(low=0.5, mode=1.25, high=4.0, distribution="Triangular", note="edited")
    data["task_durations"]["Decalc"].update(low=None, high=None, mode=13 + 5 / 6)
    data["batch_sizes"][URGENT_PROCESSING_BATCH] = 12
    data["batch_sizes"]["Scanning (mega slides)"] = 7
    data["globals"]["prob_internal"] = 0.5
    data["globals"]["num_blocks_mega"] = {"distribution": "IntTriangular", "low": 2,
                                          "mode": 3, "high": 9}
    # Flip which optional ProbRoutine names are present.
    if config.globals.prob_routine_cancer is None:
        data["globals"]["prob_routine_cancer"] = (
            1 - data["globals"]["prob_urgent_cancer"] - data["globals"]["prob_priority_cancer"]
        )
    else:
        data["globals"]["prob_routine_noncancer"] = None
    data["runner"] = RunnerTimes(
        speed_m_per_s=1.1, loading_time_s=5, unloading_time_s=7.5, default_walk_s=90,
        distances_m={journey: 2.5 * (i + 1) for i, journey in enumerate(RUNNER_JOURNEYS)},
    ).model_dump()
    data["batch_release"] = BatchRelease(
        batch_release="full_only", delivery_release_interval_min=30,
        flush_before_shift_end=False, machine_batch_max_wait_h=3.5,
        processing_start_time="17:15",
    ).model_dump()
    data["run"] = RunSettings(sim_hours=100.5, replications=7, seed=2**62 + 3,
                              warmup_hours=10).model_dump()
    return LabConfig.model_validate(data)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_reference_workbook_round_trips(configs, layout):
    config = configs[layout]
    assert read_workbook(written(config)) == config


@pytest.mark.parametrize("layout", LAYOUTS)
def test_modified_config_round_trips(configs, layout):
    config = modified(configs[layout])
    assert config != configs[layout]
    again = read_workbook(written(config))
    assert again == config
    assert again.layout == layout
    assert again.arrivals.noncancer[167] == 0.1 + 0.2
    assert again.run.seed == 2**62 + 3


def test_runner_data_survive_the_2023_layout(configs):
    """A 2023 config with runner distances gets the 2024 runner sheet, table and names."""
    config = configs["2023"].model_copy(update={"runner": configs["2024"].runner})
    data = written(config)
    assert read_workbook(data) == config
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert "tableRunnerDistances" in workbook["Runner Times output"].tables
    for name in ("runnerSpeed", "runnerLoadingTime", "runnerUnloadingTime"):
        assert name in workbook.defined_names


def test_2023_reference_writes_no_runner_sheet(configs):
    workbook = openpyxl.load_workbook(io.BytesIO(written(configs["2023"])))
    assert "Runner Times output" not in workbook.sheetnames
    assert "runnerSpeed" not in workbook.defined_names


def test_notes_survive_the_2023_layout(configs):
    config = configs["2023"].model_copy(
        update={"task_durations": configs["2024"].task_durations}
    )
    assert read_workbook(written(config)).task_durations == configs["2024"].task_durations


def test_2024_layout_needs_runner_distances(configs):
    config = configs["2023"].model_copy(update={"layout": "2024"})
    with pytest.raises(ConfigError) as info:
        write_workbook(config, io.BytesIO())
    [problem] = info.value.problems
    assert (problem.sheet, problem.table) == ("Runner Times output", "tableRunnerDistances")
    assert "2023 layout" in problem.message


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_can_be_changed(configs, layout):
    """Take the other layout's data, write it in this layout; nothing is lost."""
    other = configs["2024" if layout == "2023" else "2023"]
    config = other.model_copy(update={"layout": layout, "runner": configs["2024"].runner})
    assert read_workbook(written(config)) == config


@pytest.mark.parametrize("layout", LAYOUTS)
def test_written_workbook_has_plain_values_where_the_reader_reads(configs, layout):
    config = modified(configs[layout])
    workbook = openpyxl.load_workbook(io.BytesIO(written(config)))  # formulas kept
    assert ("Resources" in workbook.sheetnames) == (layout == "2023")
    assert ("Resource Allocation" in workbook.sheetnames) == (layout == "2024")

    read_tables = {"ArrivalScheduleCancer", "ArrivalScheduleNonCancer", "Resources",
                   "TaskDurations", "BatchSizes", "tableRunnerDistances"}
    seen = set()
    for sheet in workbook.worksheets:
        for table in sheet.tables.values():
            if table.name not in read_tables:
                continue
            seen.add(table.name)
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            last = max_row - (table.totalsRowCount or 0)
            for row in sheet.iter_rows(min_row=min_row, max_row=last,
                                       min_col=min_col, max_col=max_col):
                for cell in row:
                    assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}"
    assert seen == read_tables

    unread = ("Locations", "RunnerTimes", "runnerCutupDist")  # names the reader ignores
    names = [name for name in workbook.defined_names if name not in unread]
    assert len(names) >= 25 + 3 + 5 + 4
    for name in names:
        [(sheet, ref)] = workbook.defined_names[name].destinations
        min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
        for row in workbook[sheet].iter_rows(min_row=min_row, max_row=max_row,
                                             min_col=min_col, max_col=max_col):
            for cell in row:
                assert cell.data_type != "f", f"{name} -> {sheet}!{cell.coordinate}"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_written_workbook_structure(configs, layout):
    config = modified(configs[layout])
    workbook = openpyxl.load_workbook(io.BytesIO(written(config)))
    batches = workbook["Batch Sizes"].tables["BatchSizes"]
    expected_ref = {"2023": "A1:C16", "2024": "A4:C19"}[layout]
    assert batches.ref == expected_ref
    last_row = workbook["Batch Sizes"][expected_ref.split(":")[1][1:]]
    assert [c.value for c in last_row[:3]] == [URGENT_PROCESSING_BATCH, 12, "Blocks"]

    release = workbook["Batch Release"]
    assert workbook.defined_names["processing_start_time"].attr_text \
        == "'Batch Release'!$B$8"
    assert release["A8"].value == "processing_start_time"
    assert release["B8"].value == dt.time(17, 15)
    assert release["B4"].value == "full_only"
    run = workbook["Run Settings"]
    assert [run[f"A{r}"].value for r in range(4, 8)] \
        == ["sim_hours", "replications", "seed", "warmup_hours"]
    assert workbook.defined_names["seed"].attr_text == "'Run Settings'!$B$6"
    assert run["B5"].value == 7


def test_writing_leaves_the_bundled_templates_alone(configs, tmp_path):
    before = {layout: hashlib.sha256(template_path(layout).read_bytes()).hexdigest()
              for layout in LAYOUTS}
    for layout in LAYOUTS:
        write_workbook(modified(configs[layout]), tmp_path / f"out-{layout}.xlsx")
    after = {layout: hashlib.sha256(template_path(layout).read_bytes()).hexdigest()
             for layout in LAYOUTS}
    assert after == before


def test_write_to_a_path_and_load_it(configs, tmp_path):
    path = tmp_path / "nested" / "lab.xlsx"
    write_workbook(configs["2024"], str(path))
    assert load_config(path) == configs["2024"]
    # Real workbooks open in openpyxl's default mode without warnings about our parts.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        openpyxl.load_workbook(path, data_only=True)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_json_round_trip(configs, layout, tmp_path):
    for config in (configs[layout], modified(configs[layout])):
        text = config.model_dump_json()
        assert LabConfig.model_validate_json(text) == config
        path = tmp_path / f"lab-{layout}.json"
        path.write_text(config.model_dump_json(indent=2))
        assert load_config(path) == config


def test_json_then_workbook_round_trip(configs):
    config = LabConfig.model_validate_json(modified(configs["2024"]).model_dump_json())
    assert read_workbook(written(config)) == config
