"""SyncedFigure: a chart whose page stopped applying edits is replaced by a fresh widget.

The page's side is played by the messages plotly's view sends (``_view_count`` when a view
is created, ``_js2py_traceDeltas`` with the edit id after each applied edit); the browser
test of the sensor dashboard exercises the real page.
"""

from __future__ import annotations

import plotly.graph_objects as go

from hospital_twin.dashboards.synced_figure import SyncedFigure


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _edit(synced: SyncedFigure, y: list[float]) -> None:
    with synced.fig.batch_update():
        synced.fig.data[0].y = y


def _page_applies_latest(synced: SyncedFigure) -> None:
    fig = synced.fig
    fig._js2py_traceDeltas = {"trace_deltas": [{"uid": fig.data[0].uid}],
                              "trace_edit_id": fig._last_trace_edit_id}


def test_chart_whose_edits_are_acknowledged_is_kept() -> None:
    clock = Clock()
    synced = SyncedFigure(go.FigureWidget(data=[go.Scatter(x=[], y=[])]), 6, clock)
    synced.fig._view_count = 1
    first = synced.fig
    for step in range(20):
        _edit(synced, [step, step + 1])
        clock.now += 1
        assert not synced.check()
        _page_applies_latest(synced)
    assert synced.fig is first and synced.replaced == 0


def test_chart_without_a_view_is_never_replaced() -> None:
    clock = Clock()
    synced = SyncedFigure(go.FigureWidget(data=[go.Scatter(x=[], y=[])]), 6, clock)
    for step in range(20):
        _edit(synced, [step])
        clock.now += 1
        assert not synced.check()  # a hidden or closed page acknowledges nothing


def test_frozen_chart_is_replaced_with_its_current_data_then_waits_longer() -> None:
    clock = Clock()
    synced = SyncedFigure(go.FigureWidget(data=[go.Scatter(x=[], y=[])]), 6, clock)
    frozen = synced.fig
    frozen._view_count = 1
    replaced_at = []
    for step in range(40):
        _edit(synced, list(range(step + 1)))
        synced.fig._view_count = 1  # the page shows every widget it is given
        if synced.check():
            replaced_at.append(clock.now)
        clock.now += 1
    # first after 6 s without an acknowledgement, then after 12 s, then after 24 s
    assert replaced_at == [6.0, 19.0], replaced_at
    assert synced.replaced == 2
    assert synced.fig is not frozen and synced.box.children == (synced.fig,)
    assert list(synced.fig.data[0].y) == list(range(40))  # the latest data goes along
    assert frozen.comm is None  # the first widget was closed at the second replacement
