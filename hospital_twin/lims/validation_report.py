"""The validation as a self-contained HTML report: ``notebooks/validation.ipynb`` executed
with papermill on a validation JSON, rendered like the batch reports (code hidden, offline)."""

from __future__ import annotations

from pathlib import Path

from hospital_twin.reports.render import ReportFiles, render_html
from hospital_twin.reports.request import ReportError
from hospital_twin.resources import notebooks_dir


def validation_notebook_path() -> Path:
    """The validation report notebook (the checkout's, or the installed copy)."""
    return notebooks_dir() / "validation.ipynb"


def render_validation_report(validation_json: str | Path, out_dir: str | Path, *,
                             stem: str = "validation", timeout: int = 600) -> ReportFiles:
    """Execute the notebook on ``validation_json``; write ``<stem>.ipynb`` and ``.html``."""
    import papermill

    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    ipynb = out / f"{stem}.ipynb"
    try:
        papermill.execute_notebook(
            str(validation_notebook_path()), str(ipynb),
            parameters={"validation_json": str(Path(validation_json).resolve())},
            kernel_name="python3", progress_bar=False, log_output=False,
            execution_timeout=timeout, cwd=str(out))
    except Exception as exc:
        raise ReportError(f"the validation notebook failed: {exc}") from exc
    html = render_html(ipynb, ipynb.with_suffix(".html"),
                       title=f"Hospital Twin validation: {stem}")
    return ReportFiles(html=html, ipynb=ipynb)
