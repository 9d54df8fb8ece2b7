"""One report per workbook of a folder, and an ``index.html`` linking them.

Every workbook is read and validated first: a broken one is listed as failed with every
problem (sheet, table, row, column) and never run. The others become RQ report jobs when
Redis answers and a worker serves the queue, else they run here one after another. A
progress bar counts finished reports either way.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from hospital_twin.reports.jobs import enqueue_report, failure_reason, report_status
from hospital_twin.reports.request import ReportRequest

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class BatchItem:
    """One workbook's outcome: its report, or why there is none."""

    workbook: Path
    request: ReportRequest
    html: Path | None = None
    ipynb: Path | None = None
    error: str | None = None
    job_id: str | None = None


@dataclass
class BatchResult:
    """All outcomes, how they were run and the index page."""

    index: Path
    items: list[BatchItem]
    mode: str
    note: str = ""
    failed: list[BatchItem] = field(init=False)

    def __post_init__(self) -> None:
        self.failed = [i for i in self.items if i.error]


def find_workbooks(folder: str | Path) -> list[Path]:
    """The workbooks (.xlsx/.xlsm, not Excel's ``~$`` lock files) of a folder, sorted."""
    return sorted(p for p in Path(folder).iterdir()
                  if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$")
                  and p.is_file())


def _queue_or_why(redis_url: str | None, queue_name: str):
    """(connection, "") when a worker can take the jobs, else (None, why not)."""
    if not redis_url:
        return None, "no job queue used: reports ran in this process"
    from rq import Worker

    from hospital_twin.jobs.queue import connect, ping, scenario_queue

    connection = connect(redis_url)
    try:
        ping(connection)
        if Worker.count(queue=scenario_queue(connection, queue_name)) == 0:
            return None, f"no worker serves queue {queue_name!r}: reports ran in this process"
    except Exception as exc:
        return None, f"{exc}: reports ran in this process"
    return connection, ""


def _run_here(items: list[BatchItem], out: Path, bar: tqdm, kernel_name: str,
              timeout: int) -> None:
    from hospital_twin.reports.render import render_report

    for item in items:
        bar.set_postfix_str(item.workbook.name)
        try:
            files = render_report(item.request, out, kernel_name=kernel_name, timeout=timeout)
            item.html, item.ipynb = files.html, files.ipynb
        except Exception as exc:
            item.error = failure_reason(exc)
        bar.update(1)


def _run_queued(items: list[BatchItem], out: Path, bar: tqdm, connection, queue_name: str,
                timeout: int) -> None:
    for item in items:
        item.job_id = enqueue_report(connection, queue_name, item.request, out,
                                     timeout=timeout)
    pending = list(items)
    deadline = time.monotonic() + timeout * len(items) + 60
    while pending and time.monotonic() < deadline:
        for item in list(pending):
            status = report_status(connection, item.job_id)
            if status is None:
                item.error = "the report job vanished from the queue (Redis was emptied)"
            elif status.status == "done":
                item.html, item.ipynb = Path(status.html), Path(status.ipynb)
            elif status.status == "failed":
                item.error = status.error
            else:
                continue
            pending.remove(item)
            bar.set_postfix_str(item.workbook.name)
            bar.update(1)
        time.sleep(0.2)
    for item in pending:
        item.error = f"not finished after {timeout * len(items) + 60} s (job {item.job_id})"


def run_batch(folder: str | Path, out_dir: str | Path, *, weeks: float = 1.0, reps: int = 2,
              seed: int = 0, warmup_hours: float = 0.0, redis_url: str | None = None,
              queue_name: str = "hospital-twin", timeout: int = 900,
              kernel_name: str = "python3", progress: bool = True) -> BatchResult:
    """Report every workbook of ``folder`` into ``out_dir`` and write ``index.html``."""
    folder, out = Path(folder), Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    items = [BatchItem(p, ReportRequest(config_path=str(p.resolve()), weeks=weeks, reps=reps,
                                        seed=seed, warmup_hours=warmup_hours))
             for p in find_workbooks(folder)]
    runnable = []
    for item in items:
        try:
            item.request.check()
            runnable.append(item)
        except Exception as exc:
            item.error = failure_reason(exc)
    connection, note = _queue_or_why(redis_url, queue_name) if runnable else (None, "")
    with tqdm(total=len(items), unit="report", desc="reports", disable=not progress) as bar:
        bar.update(len(items) - len(runnable))
        if connection is not None:
            _run_queued(runnable, out, bar, connection, queue_name, timeout)
        else:
            _run_here(runnable, out, bar, kernel_name, timeout)
    mode = "queue" if connection is not None else "in-process"
    result = BatchResult(out / "index.html", items, mode, note)
    write_index(result, folder, weeks=weeks, reps=reps, seed=seed)
    return result


def _link(path: Path | None, base: Path, text: str) -> str:
    if path is None:
        return ""
    try:
        href = path.resolve().relative_to(base).as_posix()
    except ValueError:
        href = path.resolve().as_uri()
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def write_index(result: BatchResult, folder: Path, *, weeks: float, reps: int,
                seed: int) -> Path:
    """The batch's ``index.html``: one row per workbook, reports linked, failures explained."""
    base = result.index.parent
    rows = []
    for item in result.items:
        if item.error:
            status = '<td class="failed">failed</td>'
            detail = f'<td><pre class="reason">{html.escape(item.error)}</pre></td>'
        else:
            status = '<td class="ok">report</td>'
            detail = (f"<td>{_link(item.html, base, 'report (HTML)')} · "
                      f"{_link(item.ipynb, base, 'executed notebook')}</td>")
        rows.append(f'<tr data-workbook="{html.escape(item.workbook.name)}">'
                    f"<td>{html.escape(item.workbook.name)}</td>{status}{detail}</tr>")
    ok = len(result.items) - len(result.failed)
    when = time.strftime("%d %B %Y, %H:%M %Z")
    note = f"<p>{html.escape(result.note)}</p>" if result.note else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Hospital Twin batch reports</title>
<style>
body {{font-family: system-ui, sans-serif; margin: 2em; color: #222;}}
table {{border-collapse: collapse;}} td, th {{border-bottom: 1px solid #ddd; padding: 6px 12px;
  text-align: left; vertical-align: top;}}
td.ok {{color: #1a7f37; font-weight: 600;}} td.failed {{color: #b42318; font-weight: 600;}}
pre.reason {{white-space: pre-wrap; margin: 0; font-size: 13px;}}
</style></head><body>
<h1>Hospital Twin batch reports</h1>
<p>Generated {html.escape(when)} from the workbooks in <code>{html.escape(str(folder))}</code>:
{weeks:g} simulated week(s), {reps} replication(s), seed {seed}; run {result.mode}.</p>
{note}
<p class="summary">{ok} report(s), {len(result.failed)} failure(s).</p>
<table><thead><tr><th>Workbook</th><th>Status</th><th>Report or reason</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</body></html>
"""
    result.index.write_text(page, encoding="utf-8")
    return result.index
