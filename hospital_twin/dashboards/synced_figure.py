"""A chart updated in place that is replaced by a fresh widget when the page stops applying
its updates.

plotly 7's ``FigureWidget`` is an anywidget: the page loads plotly's 5 MB widget module once
per chart, and anywidget allows that 2 s. On a busy page (a loaded machine, several charts
loading at once) the deadline can pass; anywidget then rejects the chart model's "ready"
promise, and every later message for that model is dropped without a word: the chart stays
frozen at the state the page first fetched while the rest of the page goes on updating
(the flaky live chart of the sensor dashboard, whose point count kept rising while the
drawn points did not).

The page's view acknowledges each edit it has applied (plotly's ``_js2py_traceDeltas``
message carries the edit's id). A chart that has a view but has not had its latest edit
acknowledged for ``stale_after`` seconds is replaced by a new ``FigureWidget`` holding the
current data and layout: a new model, loaded while the page is quieter, drawn from its full
state at once. Each replacement doubles the wait before the next one, so a page that is
merely slow to draw is not kept busy loading charts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import plotly.graph_objects as go

#: Seconds an edit may wait for the page's acknowledgement before the chart is replaced.
STALE_AFTER_S = 6.0


class SyncedFigure:
    """``fig`` shown in ``box``; call :meth:`check` after each edit of :attr:`fig`."""

    def __init__(self, fig: go.FigureWidget, stale_after: float = STALE_AFTER_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.box = w.Box([fig])
        self.stale_after = stale_after
        self.clock = clock
        self.replaced = 0  # how many times the page lost the chart (for the record)
        self._retired: go.FigureWidget | None = None
        self._adopt(fig)

    def _adopt(self, fig: go.FigureWidget) -> None:
        self.fig = fig
        self._acked = fig._last_trace_edit_id  # noqa: SLF001 - plotly's edit counter
        self._waiting_since: float | None = None
        fig.observe(self._on_ack, "_js2py_traceDeltas")

    def _on_ack(self, change: dict[str, Any]) -> None:
        message = change["new"]
        if message and int(message.get("trace_edit_id") or 0) > self._acked:
            self._acked = int(message["trace_edit_id"])
            self._waiting_since = None  # the page is applying edits: wait afresh

    @property
    def behind(self) -> bool:
        """True if the page has a view of the chart that has not applied the latest edit."""
        return bool(self.fig._view_count) and (  # noqa: SLF001 - synced view counter
            self.fig._last_trace_edit_id > self._acked)  # noqa: SLF001

    def check(self) -> bool:
        """Replace the chart if the page has stopped applying its edits; True if replaced."""
        if not self.behind:
            self._waiting_since = None
            return False
        now = self.clock()
        if self._waiting_since is None:
            self._waiting_since = now
        if now - self._waiting_since < self.stale_after * 2 ** self.replaced:
            return False
        self.replace()
        return True

    def replace(self) -> None:
        """Show a new widget with the current data and layout in place of the current one.

        The old widget is closed only at the next replacement, so the page never has to
        drop a widget it may still be creating.
        """
        old = self.fig
        fresh = go.FigureWidget(old)
        old.unobserve(self._on_ack, "_js2py_traceDeltas")
        if self._retired is not None:
            self._retired.close()
        self._retired = old
        self._adopt(fresh)
        self.box.children = (fresh,)
        self.replaced += 1
