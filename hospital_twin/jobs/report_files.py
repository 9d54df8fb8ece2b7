"""Where a scenario job keeps its executed notebook and HTML report, and how the notebook
reaches its place whole.

papermill rewrites its output after every cell, and the scenario notebook marks the scenario
done before its last save: the job writes to ``scenario-N.running.ipynb`` and renames it to
``scenario-N.ipynb`` when papermill stops (finished, failed, or its work-horse killed), so
the API and the dashboards never read a half-written notebook.
"""

from __future__ import annotations

from pathlib import Path


def report_paths(report_dir: str | Path, scenario_id: int) -> tuple[Path, Path]:
    """Where the executed notebook and its HTML rendering of a scenario are kept."""
    base = Path(report_dir) / f"scenario-{scenario_id}"
    return base.with_suffix(".ipynb"), base.with_suffix(".html")


def running_path(ipynb: Path) -> Path:
    """Where papermill writes the notebook while the job runs."""
    return ipynb.with_suffix(".running.ipynb")


def publish_notebook(ipynb: Path) -> None:
    """Move the notebook papermill wrote to where readers look for it (one rename)."""
    running = running_path(ipynb)
    if running.exists():
        running.replace(ipynb)
