"""The RQ job: run the parameterised scenario notebook with papermill, keep it as a report.

papermill is imported at module level so a forking worker pays for the import once.
The notebook itself stores the results; this function marks the scenario running, passes
the parameters, renders the executed notebook to HTML (inputs hidden) and turns any
failure into a failed scenario with a readable reason.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import papermill
from nbconvert import HTMLExporter

from hospital_twin.jobs.failures import describe, fail_scenario
from hospital_twin.jobs.memory_limit import (
    job_memory_mb,
    memory_limited,
    memory_reason,
    ran_out_of_memory,
)
from hospital_twin.jobs.report_files import publish_notebook, report_paths, running_path
from hospital_twin.store import get_config_json, get_scenario, make_engine, mark_running, set_report


def render_html(notebook_path: str | Path, html_path: str | Path) -> Path:
    """Render an executed notebook to standalone HTML without code cells (atomic write)."""
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_filename(str(notebook_path))
    html_path = Path(html_path)
    tmp = html_path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(html_path)
    return html_path


def run_scenario_job(scenario_id: int, db_url: str, report_dir: str, notebook: str,
                     timeout: int) -> dict[str, Any]:
    """Execute the notebook for one scenario; returns the notebook's short summary."""
    memory_mb = job_memory_mb()
    with memory_limited(memory_mb):  # this work-horse and the kernel it starts
        return _run_scenario(scenario_id, db_url, report_dir, notebook, timeout, memory_mb)


def _run_scenario(scenario_id: int, db_url: str, report_dir: str, notebook: str,
                  timeout: int, memory_mb: int) -> dict[str, Any]:
    engine = make_engine(db_url)
    try:
        row = get_scenario(engine, scenario_id)
        if row is None or not mark_running(engine, scenario_id, socket.gethostname(),
                                           os.getpid()):
            return {"scenario_id": scenario_id, "skipped": "deleted or already finished"}
        config_json = get_config_json(engine, scenario_id)
        ipynb, html = report_paths(report_dir, scenario_id)
        ipynb.parent.mkdir(parents=True, exist_ok=True)
        result_path = ipynb.with_suffix(".result.json")
        set_report(engine, scenario_id, str(ipynb), None)
    finally:
        engine.dispose()
    running = running_path(ipynb)  # renamed to ipynb, whole, when papermill stops
    try:
        papermill.execute_notebook(
            notebook, str(running), kernel_name="python3", progress_bar=False,
            log_output=False, execution_timeout=timeout, cwd=str(ipynb.parent),
            parameters={
                "scenario_id": scenario_id, "config_json": config_json,
                "sim_hours": row["sim_hours"], "num_reps": row["num_reps"],
                "seed": row["seed"], "warmup_hours": row["warmup_hours"],
                "db_url": db_url, "result_path": str(result_path),
            },
        )
        summary = json.loads(result_path.read_text())
    except BaseException as exc:  # incl. RQ's JobTimeoutException
        reason = describe(type(exc), exc)
        if memory_mb and ran_out_of_memory(exc):
            reason = memory_reason(memory_mb, reason)
        publish_notebook(ipynb)  # the failed notebook is shown with the error
        fail_scenario(db_url, scenario_id, reason)
        raise
    publish_notebook(ipynb)
    try:
        render_html(ipynb, html)
        engine = make_engine(db_url)
        set_report(engine, scenario_id, None, str(html))
        engine.dispose()
    except Exception as exc:  # the results are stored; a missing HTML is rendered on demand
        summary["report_error"] = describe(type(exc), exc)
    return summary
