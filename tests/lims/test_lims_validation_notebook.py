"""The validation report notebook runs on its own (its example) and renders offline."""

from __future__ import annotations

import re

import papermill

from hospital_twin.lims.validation_report import validation_notebook_path
from hospital_twin.reports.render import external_resources, render_html


def test_notebook_without_parameters_validates_its_example(tmp_path):
    out = tmp_path / "example.ipynb"
    papermill.execute_notebook(str(validation_notebook_path()), str(out), kernel_name="python3",
                               progress_bar=False, cwd=str(tmp_path), execution_timeout=600)
    assert (tmp_path / "validation-example.json").is_file()
    page = render_html(out, tmp_path / "example.html").read_text(encoding="utf-8")
    assert "Validation: bundled lab against example log" in page
    assert external_resources(page) == []
    assert len(re.findall(r'data-verdict="(inside|outside|too few data)"', page)) == 44
    assert "Kolmogorov" in page and "How to read this report" in page
    assert "template of the validation report" not in page  # the analysts' note is hidden


def test_notebook_is_committed_without_outputs():
    import nbformat

    nb = nbformat.read(str(validation_notebook_path()), as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells)
