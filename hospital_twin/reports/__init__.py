"""Batch reports: ``notebooks/report.ipynb`` executed with papermill, rendered to one
self-contained HTML file (code hidden, plotly.js inline, nothing loaded from the internet).

* :class:`ReportRequest` — a stored scenario, a stored analysis or a configuration file;
* :func:`render_report` — execute the notebook and write ``<stem>.ipynb`` + ``<stem>.html``;
* :func:`run_batch` — one report per workbook of a folder (RQ jobs or in-process) and an
  ``index.html`` listing reports and failures;
* :func:`load_report_data` and the ``show_*`` functions — what the notebook's cells call.

Names are imported lazily: the notebook kernel needs neither papermill nor RQ.
"""

from __future__ import annotations

from hospital_twin.lazy_exports import lazy_exports

_EXPORTS = {
    "ReportError": "hospital_twin.reports.request",
    "ReportRequest": "hospital_twin.reports.request",
    "ReportData": "hospital_twin.reports.content",
    "load_report_data": "hospital_twin.reports.content",
    "key_figures": "hospital_twin.reports.content",
    "show_title": "hospital_twin.reports.sections",
    "show_config": "hospital_twin.reports.sections",
    "show_headline": "hospital_twin.reports.sections",
    "show_verdicts": "hospital_twin.reports.sections",
    "show_charts": "hospital_twin.reports.sections",
    "show_comparison": "hospital_twin.reports.sections",
    "show_figure": "hospital_twin.reports.sections",
    "ReportFiles": "hospital_twin.reports.render",
    "render_report": "hospital_twin.reports.render",
    "render_html": "hospital_twin.reports.render",
    "external_resources": "hospital_twin.reports.render",
    "report_notebook_path": "hospital_twin.reports.render",
    "BatchResult": "hospital_twin.reports.batch",
    "run_batch": "hospital_twin.reports.batch",
}

__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
