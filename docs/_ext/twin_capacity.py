"""Sphinx directive ``.. processing-starts:: 2024``: processing-machine starts a week that a
bundled workbook's lab needs and has, computed by
:func:`hospital_twin.analysis.capacity.processing_starts` when the documentation is built,
so the figures cannot drift from the workbook or the code.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList

from hospital_twin.analysis.capacity import processing_starts
from hospital_twin.config import read_workbook, template_path

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _days_text(days: list[int]) -> str:
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        return f"{DAYS[days[0]]} to {DAYS[days[-1]]}"
    return ", ".join(DAYS[d] for d in days)


def summary_lines(layout: str) -> list[str]:
    """reStructuredText: one paragraph and a table for the bundled workbook ``layout``."""
    config = read_workbook(template_path(layout))
    result = processing_starts(config)
    table = result.table()
    total = table.loc["total"]
    large = table.loc["large", "blocks_per_week"] / total.blocks_per_week
    days = sorted({int(h // 24) for h in result.start_hours})
    hours = sorted({h % 24 for h in result.start_hours})
    clock = ", ".join(f"{int(h):02d}:{round(h % 1 * 60):02d}" for h in hours)
    machines = result.starts_available / len(result.start_hours)
    lines = [
        f"Computed from the bundled {layout} workbook when this page was built "
        f"(``processing_starts(read_workbook(template_path(\"{layout}\")))``): the lab cuts "
        f"about **{total.blocks_per_week:,.0f} blocks a week**, {100 * large:.0f} % of them "
        f"large surgical, plus {result.urgent_blocks:,.0f} urgent blocks for the urgent "
        f"programme. The regular programmes start at {clock} on "
        f"{len(days)} days ({_days_text(days)}), when Processing room "
        f"staff are on duty; with {machines:g} processing machines that gives "
        f"**{result.starts_available:g} machine-starts a week**. The blocks need "
        f"**{result.starts_needed_full:.1f}** if every run were full and "
        f"**{result.starts_needed:.1f}** as the start-time rule releases them (each start "
        "runs whatever waits, in batches of at most the batch size).",
        "",
        f".. list-table:: Processing runs a week, {layout} workbook (expected values)",
        "   :header-rows: 1",
        "   :widths: 12 12 10 11 11 12 16 16",
        "",
        "   * - Programme", "     - Blocks a week", "     - Batch size",
        "     - Runs if full", "     - Runs", "     - Starts per run",
        "     - Machine-starts if full", "     - Machine-starts",
    ]
    for name, row in table.iterrows():
        size = "" if name == "total" else f"{row.batch_size:.0f}"
        per_run = "" if name == "total" else f"{row.starts_per_run:.2f}"
        lines += [f"   * - {name}", f"     - {row.blocks_per_week:,.0f}", f"     - {size}",
                  f"     - {row.runs_full:.1f}", f"     - {row.runs:.1f}",
                  f"     - {per_run}", f"     - {row.starts_full:.1f}",
                  f"     - {row.starts:.1f}"]
    return lines


class ProcessingStarts(Directive):
    """Insert the paragraph and table for one bundled workbook layout (the argument)."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        container = nodes.container()
        self.state.nested_parse(StringList(summary_lines(self.arguments[0]),
                                           source="processing-starts"),
                                self.content_offset, container)
        return list(container.children)


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("processing-starts", ProcessingStarts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
