"""Jobs tab: scenarios and analyses with live progress, errors and actions.

A :class:`~hospital_twin.dashboards.polling.Poller` re-reads the store and updates widget
*values* (progress, status, text); it rebuilds the rows only when jobs appear or disappear.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from hospital_twin.dashboards.polling import Poller
from hospital_twin.dashboards.simulation._ui import (
    MessageBox,
    button,
    download_html,
    esc,
    guarded,
)
from hospital_twin.dashboards.simulation.backend import Backend

COLUMNS = ("Name", "Created", "Status", "Progress (replications)", "Actions")
GRID = "minmax(180px, 2fr) 150px 90px 260px minmax(260px, 2fr)"


def _when(ts: float | None) -> str:
    return "" if ts is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))


def job_rows(backend: Backend) -> list[dict[str, Any]]:
    """One dict per analysis and per scenario (members after their analysis), newest first."""
    scenarios = backend.scenarios()
    rows: list[dict[str, Any]] = []
    for a in reversed(backend.analyses()):
        members = [s for s in scenarios if s.get("analysis_id") == a["analysis_id"]]
        rows.append({
            "key": f"a{a['analysis_id']}", "kind": "analysis", "id": a["analysis_id"],
            "name": f"Analysis #{a['analysis_id']} {a['name'] or ''}".strip(),
            "created": a["created"], "status": a["status"], "error": a["error"],
            "done": sum(m["done_reps"] or 0 for m in members) if a["status"] != "done"
            else sum(m["num_reps"] for m in members),
            "total": sum(m["num_reps"] for m in members), "scenario_ids": a["scenario_ids"],
            "has_report": False,
        })
        rows += [_scenario_row(m, indent=True) for m in reversed(members)]
    rows += [_scenario_row(s) for s in reversed(scenarios) if s.get("analysis_id") is None]
    return rows


def _scenario_row(s: dict[str, Any], indent: bool = False) -> dict[str, Any]:
    done = s["num_reps"] if s["status"] == "done" else (s.get("done_reps") or 0)
    return {
        "key": f"s{s['scenario_id']}", "kind": "scenario", "id": s["scenario_id"],
        "name": ("↳ " if indent else "") + f"#{s['scenario_id']} {s['name'] or 'unnamed'}",
        "created": s["created"], "status": s["status"], "error": s.get("error"),
        "done": done, "total": s["num_reps"], "scenario_ids": [s["scenario_id"]],
        # a finished scenario always has a report: kept from its job or rendered on demand
        "has_report": s.get("has_report", False) or s["status"] == "done",
    }


class _Row:
    """The widgets of one job row; :meth:`update` sets their values."""

    def __init__(self, tab: JobsTab, row: dict[str, Any]) -> None:
        self.key = row["key"]
        self.name = w.HTML()
        self.created = w.HTML(_when(row["created"]))
        self.status = w.HTML()
        self.bar = w.IntProgress(min=0, max=max(row["total"], 1),
                                 layout=w.Layout(width="160px"))
        self.count = w.HTML()
        self.count.add_class("ht-progress-text")
        guard = guarded(tab.message)
        self.open = button("Open results", tooltip="Show in Results (or Compare)")
        self.open.on_click(guard(lambda _: tab.open_row(self.data)))
        self.report = button("Report (HTML)")
        self.report.on_click(guard(lambda _: tab.download_report(self.data)))
        self.delete = button("Delete", "danger")
        self.delete.on_click(guard(lambda _: tab.delete_row(self.data)))
        actions = [self.open, self.report, self.delete] if row["kind"] == "scenario" else [
            self.open, self.delete]
        for widget, role in ((self.name, "name"), (self.status, "status"), (self.bar, "bar"),
                             (self.count, "count"), (self.open, "open"),
                             (self.report, "report"), (self.delete, "delete")):
            widget.add_class(f"ht-job-{role}-{self.key}")
        self.cells = [self.name, self.created, self.status,
                      w.HBox([self.bar, self.count]), w.HBox(actions)]
        self.data = row
        self.update(row)

    def update(self, row: dict[str, Any]) -> None:
        self.data = row
        error = (f'<div class="ht-msg ht-error ht-job-error">{esc(row["error"])}</div>'
                 if row["status"] == "failed" and row["error"] else "")
        self.name.value = f"<b>{esc(row['name'])}</b>{error}"
        self.status.value = f'<span class="ht-status">{esc(row["status"])}</span>'
        self.bar.max = max(row["total"], 1)
        self.bar.value = min(row["done"], self.bar.max)
        self.bar.bar_style = {"done": "success", "failed": "danger"}.get(row["status"], "info")
        self.count.value = f"{row['done']}/{row['total']}"
        self.open.disabled = row["status"] != "done"
        self.report.disabled = not (row["has_report"] and row["status"] in ("done", "failed"))


class JobsTab:
    """The job table; ``on_open(kind, ids)`` is called by the Open results buttons."""

    def __init__(self, backend: Backend, interval: float = 1.0) -> None:
        self.backend = backend
        self.interval = interval
        self.on_open: Callable[[str, list[int]], None] | None = None
        self.message = MessageBox()
        self.download = w.HTML()
        self.refresh_button = button("Refresh")
        self.refresh_button.on_click(guarded(self.message)(lambda _: self.refresh()))
        self.grid = w.GridBox(layout=w.Layout(grid_template_columns=GRID,
                                              grid_gap="4px 8px", width="100%"))
        self.grid.add_class("ht-jobs-grid")
        self.empty = w.HTML()
        self.rows: dict[str, _Row] = {}
        self.lock = threading.RLock()
        self.widget = w.VBox([w.HBox([self.refresh_button, self.download]), self.message,
                              self.empty, self.grid])
        self.widget.add_class("ht-jobs-tab")
        self.poller = Poller(self._poll, self.interval, "jobs-poll")

    def refresh(self) -> None:
        """Re-read the store; rebuild rows if jobs came or went, else update values."""
        rows = job_rows(self.backend)
        with self.lock:
            if [r["key"] for r in rows] != list(self.rows):
                self.rows = {r["key"]: _Row(self, r) for r in rows}
                header = [w.HTML(f"<b>{c}</b>") for c in COLUMNS]
                self.grid.children = header + [c for row in self.rows.values()
                                               for c in row.cells]
            else:
                for r in rows:
                    self.rows[r["key"]].update(r)
        self.empty.value = ("<p>No jobs yet: submit a scenario in the Run tab.</p>"
                            if not rows else "")

    def start_polling(self) -> None:
        """Refresh now and every ``interval`` seconds (idempotent)."""
        self.poller.start()

    def stop_polling(self) -> None:
        """Stop refreshing."""
        self.poller.stop()

    def _poll(self) -> None:
        try:
            self.refresh()
        except Exception as exc:  # noqa: BLE001 - keep polling; say what went wrong
            self.message.error(f"Could not read the job list: {exc}")

    # -- actions ---------------------------------------------------------------------
    def open_row(self, row: dict[str, Any]) -> None:
        if self.on_open is not None:
            self.on_open(row["kind"], list(row["scenario_ids"]))

    def download_report(self, row: dict[str, Any]) -> None:
        self.download.value = ("Preparing the report of " + esc(row["name"])
                               + " (the first time takes a few seconds)…")
        data = self.backend.report_html(row["id"])
        self.download.value = ("Report of " + esc(row["name"]) + ": " + download_html(
            data, f"scenario-{row['id']}-report.html", "text/html", "save the HTML report"))

    def delete_row(self, row: dict[str, Any]) -> None:
        if row["kind"] == "analysis":
            self.backend.delete(row["scenario_ids"], row["id"])
        else:
            self.backend.delete([row["id"]])
        self.message.show(f"Deleted {row['name']}.", "ok")
        self.refresh()
