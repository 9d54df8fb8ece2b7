"""The analyst notebooks run top to bottom with small parameters, and are committed clean.

They run with papermill in a kernel whose spec points at this interpreter (the venv), so
they see the same ``hospital_twin`` as the tests. A kernelspec named ``python3`` could
resolve elsewhere (a user-level spec wins over the venv's), hence the private one.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import papermill
import pytest
from jupyter_client.kernelspec import KernelSpecManager

from hospital_twin.config import read_workbook, template_path

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
KERNEL = "hospital-twin-tests"
PLOTLY_MIME = "application/vnd.plotly.v1+json"

#: name -> (parameters, text(s) that must appear in some output, number of figures drawn)
CASES: dict[str, tuple[dict, str | tuple[str, ...], int]] = {
    "01-lab-configuration.ipynb": ({}, "reads back and validates", 7),
    "02-run-and-analyse.ipynb": (
        {"reps": 2, "sim_weeks": 2}, "Too short to tell whether work piles up", 13),
    "03-staffing-what-if.ipynb": (
        {"reps": 2, "sim_weeks": 1, "deltas": [0, 1], "warmup_hours": 24.0},
        "Shares count every specimen (Kaplan-Meier)", 5),
    "04-lift-outage.ipynb": (
        {"reps": 2, "sim_weeks": 1, "warmup_hours": 24.0},
        ("155.86", "Lift out of service: Too short to tell whether work piles up"), 3),
    "05-sensor-history.ipynb": (
        {"sim_interval_s": 900}, "2 gaps of at least 1 h on 2 of 21 devices", 6),
    "06_forecast.ipynb": (
        {"days": 7, "reps": 2, "backlog": 300},
        "300 specimens in the lab on Monday 07 December", 5),
}


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A kernelspec running ``sys.executable -m ipykernel_launcher``, found via JUPYTER_PATH."""
    root = tmp_path_factory.mktemp("jupyter")
    spec_dir = root / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Hospital Twin tests", "language": "python"}))
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(root) + (os.pathsep + old if old else "")
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL)
        assert spec.argv[0] == sys.executable
        yield KERNEL
    finally:
        if old is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = old


def _outputs_text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.append(str(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def test_kernel_runs_this_interpreter(kernel_name: str, tmp_path: Path) -> None:
    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import sys, hospital_twin; print(sys.executable); print(hospital_twin.__file__)")])
    nbformat.write(probe, tmp_path / "probe.ipynb")
    done = papermill.execute_notebook(tmp_path / "probe.ipynb", tmp_path / "probe-out.ipynb",
                                      kernel_name=kernel_name, execution_timeout=60,
                                      progress_bar=False)
    printed = done.cells[0].outputs[0]["text"].split()
    assert printed[0] == sys.executable
    assert Path(printed[1]).resolve().is_relative_to(NOTEBOOKS.parent)


@pytest.mark.parametrize("name", list(CASES))
def test_notebook_runs(name: str, kernel_name: str, tmp_path: Path) -> None:
    parameters, expected_text, n_figures = CASES[name]
    if name.startswith("01-"):
        parameters = parameters | {"out_path": str(tmp_path / "out" / "changed.xlsx")}
    done = papermill.execute_notebook(
        NOTEBOOKS / name, tmp_path / name, parameters=parameters, kernel_name=kernel_name,
        cwd=str(tmp_path), execution_timeout=180, progress_bar=False)
    errors = [o for c in done.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    texts = (expected_text,) if isinstance(expected_text, str) else expected_text
    for text in texts:
        assert text in _outputs_text(done)
    figures = sum(PLOTLY_MIME in o.get("data", {}) for c in done.cells
                  for o in c.get("outputs", []))
    assert figures == n_figures  # every chart cell drew its figure
    if name.startswith("02-"):
        _stability_comes_first(done)
    if name.startswith("01-"):
        written = read_workbook(tmp_path / "out" / "changed.xlsx")
        before = read_workbook(template_path("2024")).resources["Histopathologist"]
        after = written.resources["Histopathologist"]
        assert after.half_hour_units == [u + 1 if u else 0 for u in before.half_hour_units]
        assert after.working_days == before.working_days


def _stability_comes_first(done: nbformat.NotebookNode) -> None:
    """Notebook 02 leads with the stability verdict, then the Kaplan–Meier figures; the
    completed-only verdicts come after them, labelled as such."""
    def first(predicate) -> int:
        return next(i for i, c in enumerate(done.cells) if predicate(c))

    def output(cell) -> str:
        return _outputs_text(nbformat.v4.new_notebook(cells=[cell]))

    stability = first(lambda c: "work piles up" in output(c))
    km = first(lambda c: "rcpath_verdicts(results, km=True)" in c.source)
    completed = first(lambda c: "rcpath_verdicts(results)" in c.source)
    heading = first(lambda c: c.source.startswith("## Completed specimens only"))
    assert stability < km < heading < completed
    assert "Reported within 7 days" in output(done.cells[km])
    assert "Recommended warm-up" in _outputs_text(done)
    assert "Processing machine-starts a week: 25 available" in _outputs_text(done)


def _committed() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.glob("0[1-6][-_]*.ipynb"))


def test_the_six_analyst_notebooks_exist() -> None:
    assert [p.name for p in _committed()] == list(CASES)


@pytest.mark.parametrize("path", _committed(), ids=lambda p: p.name)
def test_committed_notebook_is_clean(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert "parameters" in code[0].metadata.get("tags", [])
    assert nb.cells[0].cell_type == "markdown" and "**Question:**" in nb.cells[0].source
    # analysis lives in the package: cells call it, they define no functions or classes
    assert not any(line.lstrip().startswith(("def ", "class "))
                   for c in code for line in c.source.splitlines())
