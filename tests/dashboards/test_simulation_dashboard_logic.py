"""The dashboard's logic without a browser: scenario edits, tables, job rows."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pytest
from test_dashboard_results import store_finished_scenario

from hospital_twin.config import ConfigError, default_config
from hospital_twin.dashboards.simulation.app import build
from hospital_twin.dashboards.simulation.backend import Backend
from hospital_twin.dashboards.simulation.jobs_tab import job_rows
from hospital_twin.dashboards.simulation.run_tab import edited_config, peak_units
from hospital_twin.dashboards.simulation.tables import csv_zip, excel_bytes, results_tables


def test_edited_config_scales_rosters_demand_and_batches():
    base = default_config()
    peaks = peak_units(base)
    edited = edited_config(base, units={"BMS": peaks["BMS"] * 2}, demand_percent=150,
                           batch_sizes={"Delivery (reception to cut-up)": 7})
    assert peak_units(edited)["BMS"] == 2 * peaks["BMS"]
    assert edited.resources["BMS"].working_days == base.resources["BMS"].working_days
    assert sum(edited.arrivals.cancer) == pytest.approx(1.5 * sum(base.arrivals.cancer))
    assert edited.batch_sizes["Delivery (reception to cut-up)"] == 7
    assert edited.resources["QC staff"] == base.resources["QC staff"]


def test_edited_config_reports_every_problem():
    with pytest.raises(ConfigError) as err:
        edited_config(default_config(), demand_percent=-5,
                      batch_sizes={"Delivery (reception to cut-up)": 0})
    text = err.value.render()
    assert "demand" in text and "-5" in text and "Delivery (reception to cut-up)" in text


def test_tables_and_downloads(tmp_path, monkeypatch):
    monkeypatch.setenv("HOSPITAL_TWIN_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("HOSPITAL_TWIN_DB", "")
    backend = Backend()
    sid, results = store_finished_scenario(backend.engine, "tables")
    tables = results_tables(backend.results(sid))
    assert tables["kpis"]["mean"].iloc[0] == results["overall_tat"]
    assert list(tables["utilisation"]["resource"]) == results["utilization_by_resource"]["x"]
    assert tables["stability"]["verdict"].iloc[0] == results["stability"]["verdict"]
    assert tables["tat_kaplan_meier"]["unit"].tolist() == ["hours"] * 3 + ["share"] * 5
    split = tables["machine_time"].groupby("machine")["share"].sum()
    assert split.to_numpy() == pytest.approx([1.0] * len(results["machine_time"]))
    with zipfile.ZipFile(io.BytesIO(csv_zip(tables))) as zf:
        assert sorted(zf.namelist()) == sorted(f"{n}.csv" for n in tables)
    book = openpyxl.load_workbook(io.BytesIO(excel_bytes(tables)))
    assert book.sheetnames == [n[:31] for n in tables]

    rows = job_rows(backend)
    assert [(r["name"], r["status"], r["done"], r["total"]) for r in rows] == [
        (f"#{sid} tables", "done", 2, 2)]
    dashboard = build(backend, poll=False)
    dashboard.results.show(sid)
    assert json.loads(results_json(dashboard)) == results
    assert len(dashboard.results.charts.children) == 8  # + how machines spend their time
    with pytest.raises(ValueError, match="no longer exists"):
        backend.results(sid + 1)


def results_json(dashboard) -> str:
    """The results JSON offered for download by the Results tab."""
    import base64
    import re

    href = re.search(r'download="[^"]+\.json" href="data:application/json;base64,([^"]+)"',
                     dashboard.results.downloads.value).group(1)
    return base64.b64decode(href).decode()


def test_dashboards_command_line(tmp_path, monkeypatch):
    from hospital_twin.cli.dashboards_cmd import dashboard_env, default_dashboards_dir, voila_argv

    assert (default_dashboards_dir() / "histopathology.ipynb").exists()
    argv = voila_argv(tmp_path, 8866, cull_idle_seconds=90)
    assert {"--Voila.ip=127.0.0.1", "--port=8866", "--MappingKernelManager.cull_interval=30",
            "--MappingKernelManager.cull_idle_timeout=90", "--no-browser",
            "--preheat_kernel=True", "--pool_size=1",
            "--VoilaConfiguration.extension_denylist=jupyterlab-plotly"} <= set(argv)
    cold = voila_argv(tmp_path, 8866, pool_size=0)
    assert not [a for a in cold if "preheat" in a or "pool_size" in a]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOSPITAL_TWIN_VAR_DIR", "relative-var")
    monkeypatch.setenv("HOSPITAL_TWIN_DB", "")
    env = dashboard_env()
    assert env["HOSPITAL_TWIN_VAR_DIR"] == str(tmp_path / "relative-var")
    assert env["HOSPITAL_TWIN_DB"] == str(tmp_path / "relative-var" / "hospital_twin.db")


def test_analysis_submit_rows_and_delete(job_env):
    """Two workbooks submit as one analysis (queued, no worker); Delete removes it all."""
    from rq.job import Job
    from rq.serializers import JSONSerializer

    from hospital_twin.config import default_config as fresh

    backend = Backend(job_env.settings)
    dashboard = build(backend, poll=False)
    run = dashboard.run
    run.set_bases([("lab A", fresh()), ("lab B", fresh())])
    run.name.value = "two labs"
    run.length_unit.value, run.length.value, run.reps.value = "hours", 24, 2
    run.submit()
    assert "Submitted analysis" in run.message.value, run.message.value + run.problems.value
    rows = job_rows(backend)
    assert [(r["kind"], r["status"], r["done"], r["total"]) for r in rows] == [
        ("analysis", "queued", 0, 4), ("scenario", "queued", 0, 2), ("scenario", "queued", 0, 2)]
    assert rows[0]["name"].endswith("two labs") and rows[2]["name"].endswith("lab A")
    from hospital_twin.store import get_scenario

    sids = [s["scenario_id"] for s in backend.scenarios()]
    rq_ids = [get_scenario(backend.engine, sid)["job_id"] for sid in sids]
    jobs = dashboard.jobs
    jobs.refresh()
    assert set(jobs.rows) == {r["key"] for r in rows}
    jobs.delete_row(rows[0])
    assert backend.scenarios() == [] and backend.analyses() == []
    assert "No jobs yet" in jobs.empty.value and "Deleted" in jobs.message.value
    assert all(get_scenario(backend.engine, sid) is None for sid in sids)
    statuses = [Job.fetch(j, connection=job_env.redis, serializer=JSONSerializer).get_status()
                for j in rq_ids]
    assert statuses == ["canceled", "canceled"]


def test_a_fanned_out_scenario_gets_the_batch_report(job_env):
    """A scenario run as replication jobs keeps no notebook: its Report button renders the
    batch report (the function behind ``hospital-twin report``) once, then reuses it."""
    import dataclasses
    from pathlib import Path

    from hospital_twin.config import default_config as fresh
    from hospital_twin.jobs import prepare, submit_scenarios
    from hospital_twin.jobs.fanout import run_replication_job
    from hospital_twin.store import get_scenario

    options = dataclasses.replace(job_env.options, fanout_reps=2)
    config = prepare(fresh(), sim_hours=48, num_reps=2, seed=3, warmup_hours=12)
    (sid,) = submit_scenarios(job_env.redis, job_env.engine, options,
                              [("fanned", config)]).scenario_ids
    for index in range(2):
        run_replication_job(sid, index, options.db_url)
    backend = Backend(job_env.settings)
    (row,) = job_rows(backend)
    assert (row["status"], row["has_report"]) == ("done", True)
    assert get_scenario(backend.engine, sid)["notebook_path"] is None

    html = backend.report_html(sid).decode()
    assert "Hospital Twin report" in html and "load_report_data" not in html  # code hidden
    assert "plotly" in html.lower()
    stored = get_scenario(backend.engine, sid)
    assert Path(stored["report_path"]).read_text(encoding="utf-8") == html
    assert Path(stored["notebook_path"]).exists()
    assert backend.report_html(sid).decode() == html  # kept, not rendered again


def test_report_button_gives_the_batch_report_or_the_failed_notebook(job_env, tmp_path):
    """A finished scenario's Report is the batch report (``render_report``), rendered once
    and deleted with the scenario; its own executed notebook stays what the API serves.
    A failed scenario's Report is its executed notebook, which shows the error."""
    import resource
    from pathlib import Path

    import nbformat

    from hospital_twin.config import default_config as fresh
    from hospital_twin.jobs import prepare, submit_scenarios
    from hospital_twin.jobs.task import run_scenario_job
    from hospital_twin.store import get_scenario

    opts = job_env.options
    config = prepare(fresh(), sim_hours=24, num_reps=1, seed=5)
    ok, bad = submit_scenarios(job_env.redis, job_env.engine, opts,
                               [("ok", config), ("bad", config)]).scenario_ids
    limit_before = resource.getrlimit(resource.RLIMIT_AS)
    run_scenario_job(ok, opts.db_url, opts.report_dir, opts.notebook, 300)
    # run in this process: its job memory limit must not stay behind (Chromium would crash)
    assert resource.getrlimit(resource.RLIMIT_AS) == limit_before
    broken = tmp_path / "broken.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("scenario_id = 0", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("raise RuntimeError('the lab caught fire')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, broken)
    with pytest.raises(Exception, match="caught fire"):
        run_scenario_job(bad, opts.db_url, opts.report_dir, str(broken), 300)

    backend = Backend(job_env.settings)
    before = get_scenario(backend.engine, ok)
    html = backend.report_html(ok).decode()
    assert "Hospital Twin report" in html and "load_report_data" not in html
    after = get_scenario(backend.engine, ok)
    assert (after["notebook_path"], after["report_path"]) == (before["notebook_path"],
                                                             before["report_path"])
    kept = sorted(Path(job_env.settings.reports_dir).glob(f"scenario-{ok}-report/*.html"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == html
    assert backend.report_html(ok).decode() == html  # kept, not rendered again

    failed = backend.report_html(bad).decode()
    assert get_scenario(backend.engine, bad)["status"] == "failed"
    assert "caught fire" in failed and "Hospital Twin report" not in failed

    assert backend.delete([ok, bad]) == 2
    assert not kept[0].parent.exists() and not Path(before["notebook_path"]).exists()


def test_download_as_workbook_carries_the_edits(tmp_path, monkeypatch):
    """The Run tab's workbook download is the edited scenario, and it reads back valid."""
    import base64
    import re

    from hospital_twin.config import read_workbook

    monkeypatch.setenv("HOSPITAL_TWIN_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("HOSPITAL_TWIN_DB", "")
    run = build(Backend(), poll=False).run
    base = default_config()
    run.name.value = "more demand"
    run.edits.selected_index = 0  # opening "Edit" builds the staff and batch fields
    run.demand.value = 140
    run.units["BMS"].value = peak_units(base)["BMS"] + 2
    run.download_workbook()
    match = re.search(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', run.download.value)
    assert match and match.group(1) == "more-demand.xlsx"
    back = read_workbook(base64.b64decode(match.group(2)), name=match.group(1))
    assert peak_units(back)["BMS"] == peak_units(base)["BMS"] + 2
    assert sum(back.arrivals.cancer) == pytest.approx(1.4 * sum(base.arrivals.cancer), rel=1e-6)
