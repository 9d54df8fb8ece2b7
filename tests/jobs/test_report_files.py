"""The executed notebook reaches its place whole: written beside it, then renamed."""

from __future__ import annotations

from pathlib import Path

from hospital_twin.jobs.report_files import publish_notebook, report_paths, running_path


def test_the_notebook_appears_only_when_published(tmp_path: Path) -> None:
    ipynb, html = report_paths(tmp_path, 7)
    assert (ipynb.name, html.name) == ("scenario-7.ipynb", "scenario-7.html")
    running = running_path(ipynb)
    assert running.name == "scenario-7.running.ipynb"
    running.write_text('{"cells": [1]}')  # papermill, still saving
    assert not ipynb.exists()
    publish_notebook(ipynb)
    assert ipynb.read_text() == '{"cells": [1]}' and not running.exists()
    publish_notebook(ipynb)  # nothing written since (a job that died before papermill ran)
    assert ipynb.read_text() == '{"cells": [1]}'
