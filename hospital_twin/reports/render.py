"""Execute ``notebooks/report.ipynb`` with papermill and render it to one HTML file.

The HTML is the nbconvert *lab* template without code cells and without anything it
would load from the internet (require.js, MathJax, Mermaid, widgets), with plotly.js
inlined once in the head: the report works offline and can be mailed as one file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import nbformat

from hospital_twin.reports.request import ReportError, ReportRequest
from hospital_twin.resources import notebooks_dir

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "ht_report"
#: Cells tagged so are for analysts opening the notebook, not for readers of the report.
HIDE_TAG = "report-hide"
_EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\s+(url\()?\s*['\"]?\s*(https?:)?//", re.IGNORECASE)


def report_notebook_path() -> Path:
    """The parameterised report notebook (``notebooks/report.ipynb`` of the checkout, or the
    copy installed with the package)."""
    return notebooks_dir() / "report.ipynb"


@dataclass(frozen=True)
class ReportFiles:
    """Where a report was written: the HTML and the executed notebook beside it."""

    html: Path
    ipynb: Path


class _Loads(HTMLParser):
    """Collects every URL the page would fetch from another host."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for attr in ("src", "href", "data"):
            url = values.get(attr) or ""
            loads = tag in ("script", "iframe", "img", "object", "embed", "source") or (
                tag == "link" and attr == "href")
            if loads and _EXTERNAL.match(url):
                self.found.append(f"<{tag} {attr}={url!r}>")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style and _CSS_IMPORT.search(data):
            self.found.append("<style> @import of an external stylesheet")


def external_resources(html: str) -> list[str]:
    """Scripts, stylesheets, frames and images the page would load from the internet."""
    parser = _Loads()
    parser.feed(html)
    parser.close()
    return parser.found


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def render_html(notebook_path: str | Path, html_path: str | Path, title: str = "") -> Path:
    """Render an executed report notebook to self-contained HTML (atomic write).

    Code cells, stderr streams and cells tagged ``report-hide`` are left out; raises
    :class:`ReportError` if the page would still load anything from the internet.
    """
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook_path), as_version=4)
    nb.cells = [c for c in nb.cells if HIDE_TAG not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.output_type == "stream" and o.get("name") == "stderr")]
    nb.metadata["title"] = title or Path(notebook_path).stem
    exporter = HTMLExporter(template_name=TEMPLATE, extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb, resources={"plotly_js": _plotly_js()})
    external = external_resources(body)
    if external:
        raise ReportError(f"the rendered report would load from the internet: {external}")
    html_path = Path(html_path)
    tmp = html_path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(html_path)
    return html_path


def _describe(exc: BaseException) -> str:
    ename = getattr(exc, "ename", None)
    if ename:  # papermill.exceptions.PapermillExecutionError
        return (f"{ename}: {getattr(exc, 'evalue', '')} (in cell "
                f"{getattr(exc, 'exec_count', '?')} of the report notebook)")
    return f"{type(exc).__name__}: {exc}"


def render_report(request: ReportRequest, out_dir: str | Path, *, kernel_name: str = "python3",
                  timeout: int = 900, notebook: str | Path | None = None) -> ReportFiles:
    """Check the request, execute the notebook, write ``<stem>.ipynb`` and ``<stem>.html``.

    Raises :class:`ReportError` (or :class:`~hospital_twin.errors.ConfigError` for a bad
    workbook, naming sheet, row and column) with a readable reason.
    """
    import papermill

    request = request.resolved()
    request.check()
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    ipynb = out / f"{request.stem}.ipynb"
    try:
        papermill.execute_notebook(
            str(notebook or report_notebook_path()), str(ipynb),
            parameters=request.parameters(), kernel_name=kernel_name, progress_bar=False,
            log_output=False, execution_timeout=timeout, cwd=str(out))
    except Exception as exc:
        raise ReportError(f"the report notebook failed: {_describe(exc)}") from exc
    html = render_html(ipynb, ipynb.with_suffix(".html"),
                       title=f"Hospital Twin report: {request.stem}")
    return ReportFiles(html=html, ipynb=ipynb)
