"""The lab-model pages (docs/process/) and the results page build warning-free and stay in
step with the model's vocabulary and with the keys of the results JSON."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from docs_helpers import page_text, require

from hospital_twin.config import default_config
from hospital_twin.config.labels import RESOURCES, TASKS
from hospital_twin.config.models import BatchRelease
from hospital_twin.kpis import build_results
from hospital_twin.model import run_replications
from hospital_twin.model.stages import cutup, microtomy, processing, reception

#: Per stage page: the resources it uses and the TaskDurations rows it performs.
STAGES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "reception": (
        ("Booking-in staff",),
        (
            "Receive and sort",
            "Pre-booking-in investigation",
            "Booking-in (internal)",
            "Booking-in (external)",
            *reception.INVESTIGATION_TASK.values(),
        ),
    ),
    "cutup": (("BMS", "Cut-up assistant"), tuple(cutup.CUTUP_TASK.values())),
    "processing": (
        ("BMS", "Bone station", "Processing room staff", "Processing machine"),
        (
            "Load bone station",
            "Decalc",
            "Unload bone station",
            "Load into decalc oven",
            "Unload from decalc oven",
            "Load processing machine",
            "Unload processing machine",
            *processing.PROGRAMMES,
            "Embedding",
            "Embedding (cooldown)",
            "Block trimming",
        ),
    ),
    "microtomy": (("Microtomy staff",), tuple(microtomy.MICROTOMY_TASK.values())),
    "staining": (
        ("Staining staff", "Staining machine", "Coverslip machine"),
        (
            "Load staining machine (regular)",
            "Staining (regular)",
            "Unload staining machine (regular)",
            "Load coverslip machine (regular)",
            "Coverslipping (regular)",
            "Unload coverslip machine (regular)",
            "Load staining machine (megas)",
            "Staining (megas)",
            "Unload staining machine (megas)",
            "Coverslipping (megas)",
        ),
    ),
    "labelling": (("Microtomy staff",), ("Labelling",)),
    "scanning": (
        ("Scanning staff", "Scanning machine (regular)", "Scanning machine (megas)"),
        (
            "Load scanning machine (regular)",
            "Scanning (regular)",
            "Unload scanning machine (regular)",
            "Load scanning machine (megas)",
            "Scanning (megas)",
            "Unload scanning machine (megas)",
        ),
    ),
    "qc": (("QC staff",), ("Block and quality check",)),
    "reporting": (
        ("QC staff", "Histopathologist"),
        ("Assign histopathologist", "Write histopathological report"),
    ),
}
OTHER_PAGES = ("index", "deliveries", "resources", "randomness")


def _literals(page: Path) -> set[str]:
    """The inline code literals (``like this`` in the sources) of an HTML page, as text."""
    raw = page.read_text(encoding="utf-8")
    found = re.findall(r'<code class="docutils literal[^"]*">(.*?)</code>', raw, flags=re.S)
    return {" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in found}


@pytest.fixture(scope="module")
def tiny_results() -> dict:
    """The results JSON of a tiny run (one replication of one simulated day)."""
    config = default_config().with_run(sim_hours=24, replications=1)
    return build_results(run_replications(config, 1), None, config.run.seed)


def test_stage_table_covers_every_task_and_resource() -> None:
    """The expectations below assign each task row to exactly one stage."""
    tasks = [t for _, stage_tasks in STAGES.values() for t in stage_tasks]
    assert sorted(tasks) == sorted(TASKS), "every task row belongs to exactly one stage"
    resources = {r for stage_resources, _ in STAGES.values() for r in stage_resources}
    assert resources == set(RESOURCES)


def test_build_succeeds_and_model_pages_exist(build: Path | str) -> None:
    built = require(build)
    for page in (*STAGES, *OTHER_PAGES):
        assert (built / "process" / f"{page}.html").is_file(), f"process/{page}.html missing"
    assert (built / "results.html").is_file(), "results.html was not built"
    index = page_text(built / "index.html")
    assert "The lab model" in index and "Results and KPIs" in index, "not in the toctree"


@pytest.mark.parametrize("stage", list(STAGES))
def test_stage_page_names_its_resources_and_tasks(build: Path | str, stage: str) -> None:
    text = page_text(require(build) / "process" / f"{stage}.html")
    resources, tasks = STAGES[stage]
    missing = [label for label in resources + tasks if label not in text]
    assert not missing, f"process/{stage}.html does not mention {missing}"
    assert "Differences from the specification" in text


def test_every_task_label_appears_under_process(build: Path | str) -> None:
    built = require(build)
    text = " ".join(page_text(page) for page in sorted((built / "process").glob("*.html")))
    assert len(TASKS) == 48
    missing = [label for label in TASKS if label not in text]
    assert not missing, f"no page under process/ mentions the tasks {missing}"


def test_index_has_the_flow_diagram(build: Path | str) -> None:
    built = require(build)
    page = (built / "process" / "index.html").read_text(encoding="utf-8")
    linked = re.findall(r'(?:data|src)="\.\./(_images/graphviz-[^"]+\.svg)"', page)
    assert linked or "<svg" in page, "process/index.html has no graphviz diagram"
    svg = " ".join((built / rel).read_text(encoding="utf-8") for rel in linked) or page
    for word in ("10 Reception", "90 Reporting", "Delivery (scanning to QC)"):
        assert word in svg, f"the flow diagram does not mention {word!r}"


def test_deliveries_resources_and_randomness_pages(build: Path | str) -> None:
    built = require(build) / "process"
    deliveries = page_text(built / "deliveries.html")
    defaults = BatchRelease()
    for name in BatchRelease.model_fields:
        assert name in deliveries, f"deliveries.html does not name {name!r}"
    for value in ("60", "16:30", "timed", "full_only", "Processing machine (urgent blocks)"):
        assert value in deliveries, f"deliveries.html does not give {value!r}"
    assert defaults.processing_start_time == "16:30"
    assert defaults.delivery_release_interval_min == 60
    assert defaults.machine_batch_max_wait_h == 2
    resources = page_text(built / "resources.html")
    missing = [label for label in RESOURCES if label not in resources]
    assert not missing, f"resources.html does not mention {missing}"
    assert "Urgent > Priority > Cancer > Routine" in resources
    randomness = page_text(built / "randomness.html")
    for word in ("SeedSequence", "11.C26", "replications", "seed"):
        assert word in randomness, f"randomness.html does not mention {word!r}"


def test_results_page_names_every_key(build: Path | str, tiny_results: dict) -> None:
    page = require(build) / "results.html"
    text, literals = page_text(page), _literals(page)
    keys = list(tiny_results)
    assert len(keys) >= 18
    # Each key is named as a code literal (a substring of the prose would not do: "run").
    missing = [key for key in keys if key not in literals]
    assert not missing, f"results.html does not describe the keys {missing}"
    nested = list(tiny_results["run"]) + list(tiny_results["replications"][0])
    missing = [key for key in nested if key not in literals]
    assert not missing, f"results.html does not describe {missing}"
    for item in (
        "results.schema.json",
        "{x, y, ymin, ymax}",
        "{x, y, labels, ymin, ymax}",
        "Student-t",
        "not divided by capacity",
        "workbook order",
    ):
        assert item in text, f"results.html does not mention {item!r}"


def test_results_page_computes_the_processing_starts(build: Path | str) -> None:
    """The capacity figures are generated from the bundled 2024 workbook at build time, and
    the prose around them (5 machines short; 6 short, 7 enough) still holds."""
    from hospital_twin.analysis import processing_starts
    from hospital_twin.config import read_workbook, template_path
    from hospital_twin.config.models import ResourceSchedule

    text = page_text(require(build) / "results.html")
    config = read_workbook(template_path("2024"))
    result = processing_starts(config)
    table = result.table()
    for figure in (f"about {table.loc['total', 'blocks_per_week']:,.0f} blocks a week",
                   f"{result.starts_available:g} machine-starts a week",
                   f"{result.starts_needed_full:.1f} if every run were full",
                   f"{result.starts_needed:.1f} as the start-time rule releases them"):
        assert figure in text, f"results.html does not give {figure!r}"
    assert result.starts_needed_full <= result.starts_available < result.starts_needed
    old = config.resources["Processing machine"]

    def with_machines(n: int) -> float:
        roster = ResourceSchedule(working_days=old.working_days, half_hour_units=[n] * 48)
        changed = config.model_copy(update={"resources": {**config.resources,
                                                          "Processing machine": roster}})
        return processing_starts(changed).starts_available

    assert with_machines(6) == 30 < result.starts_needed < with_machines(7) == 35
    assert "6 give 30, still short of the expected need, 7 give 35" in text
