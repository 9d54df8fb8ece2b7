"""The sensor dashboard (Voilà): overview, alerts, floor plans, live and historical charts.

All logic lives here; the notebook only builds :class:`SensorDashboard` and shows
``.widget``.  A poller on the kernel's event loop reads the sensor service's REST API (URL from the
``HOSPITAL_TWIN_SENSORS_URL`` setting); when the service is down it says so and retries,
so the page recovers by itself after a restart.  Nothing is written into an ``Output``
widget; plots are ``FigureWidget``s.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from copy import deepcopy
from typing import Any

import ipywidgets as w
import plotly.graph_objects as go

from hospital_twin.dashboards.polling import Poller
from hospital_twin.dashboards.synced_figure import SyncedFigure
from hospital_twin.sensors.client import SensorClient, ServiceUnavailable
from hospital_twin.sensors.views import (
    PLAN_QUANTITIES,
    alert_list,
    device_table,
    download_link,
    empty_figure,
    filter_devices,
    floor_plan_data,
    history_csv,
    room_shapes,
    utc,
)


def publish(fig: go.FigureWidget) -> None:
    """Make ``fig``'s synced full state match its current data and layout.

    plotly 7's FigureWidget (anywidget) sends later edits to the page as one-shot deltas and
    syncs its full data and layout only from its constructor, so a page that connects after
    an edit (Voilà runs the notebook before the browser attaches; a slow page loads late)
    would draw a stale figure. Views already on the page have applied the deltas.
    """
    fig._widget_data = deepcopy(fig._data)  # noqa: SLF001 - plotly's synced state traits
    fig._widget_layout = deepcopy(fig._layout_obj._props)  # noqa: SLF001


def show_figure(box: w.Box, fig: go.Figure) -> go.FigureWidget:
    """Show ``fig`` in ``box`` as a new widget whose full state goes to the page at once.

    A chart edited once (history) must not depend on a one-shot delta reaching a view that
    was rendered while its tab was hidden; a new widget is drawn from its whole state. The
    widget shown before is closed only at the next change, so the page never has to drop a
    widget it is still creating.
    """
    fresh = go.FigureWidget(fig)
    retired = getattr(box, "_retired", ())
    for widget in retired:
        widget.close()
    box._retired = box.children  # noqa: SLF001 - closed on the next change
    box.children = (fresh,)
    return fresh


RANGES = {"Last hour": 3600, "Last day": 86400, "Last week": 7 * 86400, "Custom": 0}
RESOLUTIONS = ["auto", "raw", "1m", "5m", "15m", "1h", "6h"]


class SensorDashboard:
    """Widgets of the sensor dashboard plus the poller that keeps them current."""

    def __init__(self, client: SensorClient, poll_seconds: float = 1.0, live_points: int = 600):
        self.client = client
        self.poll_seconds = poll_seconds
        self.devices: list[dict[str, Any]] = []
        self.rooms: list[dict[str, Any]] = []
        self.live: deque[tuple[float, float]] = deque(maxlen=live_points)
        self.live_since = time.time() - 600
        self.history: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self._devices_at = 0.0
        self._build()
        self.poller = Poller(self._poll_once, poll_seconds, "sensor-dashboard")
        self.poller.start()

    @classmethod
    def from_settings(cls) -> SensorDashboard:
        """A dashboard on the service named by the settings."""
        from hospital_twin.settings import get_settings

        return cls(SensorClient(get_settings().sensors_url))

    # -- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        self.status = w.HTML("<i>connecting to the sensor service…</i>")
        self.status.add_class("service-status")
        dd = dict(layout=w.Layout(width="220px"))
        self.f_room = w.Dropdown(options=["All"], value="All", description="Room", **dd)
        self.f_type = w.Dropdown(options=["All"], value="All", description="Type", **dd)
        self.f_status = w.Dropdown(
            options=["All", "online", "stale", "never"], value="All", description="Status", **dd
        )
        self.table = w.HTML("<i>waiting for devices…</i>")
        self.table.add_class("device-table")
        # a fixed-height, scrolling panel: alerts come and go every few seconds, and a panel
        # that grew and shrank would move every control below it under the user's pointer
        self.alerts = w.HTML(
            "<i>waiting for alerts…</i>",
            layout=w.Layout(height="160px", overflow="auto", border="1px solid #ddd"),
        )
        self.alerts.add_class("alerts-panel")

        self.plan_floor = w.Dropdown(options=[1], description="Floor", **dd)
        self.plan_quantity = w.Dropdown(
            options=list(PLAN_QUANTITIES), value="Temperature", description="Colour by", **dd
        )
        plan = empty_figure("Floor plan", "x (m)", "y (m)")
        plan.add_scatter(
            x=[],
            y=[],
            mode="markers+text",
            hoverinfo="text",
            marker={
                "size": 18,
                "colorscale": "RdYlBu_r",
                "showscale": True,
                "colorbar": {"title": {"text": ""}},
            },
        )
        plan.update_yaxes(scaleanchor="x")

        self.device = w.Dropdown(options=[], description="Device", layout=w.Layout(width="320px"))
        self.reading = w.Dropdown(options=[], description="Reading", **dd)
        self.live_count = w.HTML("0 points")
        self.live_count.add_class("live-count")
        live = empty_figure("Live", "time (UTC)", "")
        live.add_scatter(x=[], y=[], mode="lines+markers", name="live")

        self.range = w.ToggleButtons(options=list(RANGES), value="Last hour")
        self.custom_start = w.Text(description="From", placeholder="2026-11-24T08:00", **dd)
        self.custom_end = w.Text(description="To", placeholder="2026-11-24T18:00", **dd)
        self.resolution = w.Dropdown(options=RESOLUTIONS, value="auto", description="Step", **dd)
        self.load = w.Button(description="Show history", button_style="primary")
        self.export = w.HTML("")
        self.history_note = w.HTML("")
        self.hist_fig = empty_figure("History", "time (UTC)", "")
        self.hist_fig.add_scatter(
            x=[], y=[], mode="lines", name="max", line={"width": 0}, showlegend=False
        )
        self.hist_fig.add_scatter(
            x=[],
            y=[],
            mode="lines",
            name="min–max",
            fill="tonexty",
            line={"width": 0},
            fillcolor="rgba(31,119,180,0.2)",
        )
        self.hist_fig.add_scatter(x=[], y=[], mode="lines", name="mean / value")
        for fig in (plan, live, self.hist_fig):
            publish(fig)
        # charts edited in place: replaced when the page stops applying edits (see module)
        self._plan = SyncedFigure(plan)
        self._live = SyncedFigure(live)
        self.hist_box = w.Box([self.hist_fig])

        for control in (self.f_room, self.f_type, self.f_status):
            control.observe(lambda _c: self._render_table(), "value")
        for control in (self.plan_floor, self.plan_quantity):
            control.observe(lambda _c: self._render_plan(), "value")
        self.device.observe(self._device_changed, "value")
        self.reading.observe(lambda _c: self._reset_live(), "value")
        self.load.on_click(self._history_clicked)

        overview = w.VBox([w.HBox([self.f_room, self.f_type, self.f_status]), self.table])
        plan = w.VBox([w.HBox([self.plan_floor, self.plan_quantity]), self._plan.box])
        device = w.VBox(
            [
                w.HBox([self.device, self.reading, self.live_count]),
                self._live.box,
                w.HBox([self.range, self.resolution]),
                w.HBox([self.custom_start, self.custom_end, self.load, self.export]),
                self.history_note,
                self.hist_box,
            ]
        )
        tabs = w.Tab(children=[overview, plan, device])
        for i, title in enumerate(("Devices", "Floor plan", "Device view")):
            tabs.set_title(i, title)
        self.widget = w.VBox(
            [
                self.status,
                w.HTML("<h3>Alerts</h3>"),
                self.alerts,
                tabs,
            ]
        )

    @property
    def plan(self) -> go.FigureWidget:
        """The floor-plan chart shown now (a new widget after a replacement)."""
        return self._plan.fig

    @property
    def live_fig(self) -> go.FigureWidget:
        """The live chart shown now (a new widget after a replacement)."""
        return self._live.fig

    # -- rendering ----------------------------------------------------------------------
    def _render_table(self) -> None:
        shown = filter_devices(
            self.devices, self.f_room.value, self.f_type.value, self.f_status.value
        )
        self.table.value = device_table(shown, time.time())

    def _render_plan(self) -> None:
        if not self.devices:
            return
        quantity = PLAN_QUANTITIES[self.plan_quantity.value]
        data = floor_plan_data(self.devices, self.plan_floor.value, quantity)
        shapes, notes = room_shapes(self.rooms, self.plan_floor.value)
        title = f"{self.plan_quantity.value} ({data['unit']})" if data["unit"] else "no data"
        with self.plan.batch_update():
            trace = self.plan.data[0]
            trace.x, trace.y, trace.hovertext = data["x"], data["y"], data["labels"]
            trace.text = [label.split("<br>")[0][-6:] for label in data["labels"]]
            trace.textposition = "top center"
            trace.marker.color = [v if v is not None else float("nan") for v in data["values"]]
            trace.marker.colorbar.title.text = title
            self.plan.layout.shapes, self.plan.layout.annotations = shapes, notes
            self.plan.layout.title.text = f"Floor {self.plan_floor.value}: {title}"
        publish(self.plan)
        self._plan.check()

    def _unit(self) -> tuple[str, str]:
        device = next((d for d in self.devices if d["acp_id"] == self.device.value), None)
        kind = next(
            (r for r in (device or {}).get("readings", []) if r["key"] == self.reading.value), None
        )
        return (kind["name"], kind["unit"]) if kind else (self.reading.value or "", "")

    def _device_changed(self, _change: Any = None) -> None:
        device = next((d for d in self.devices if d["acp_id"] == self.device.value), None)
        keys = [r["key"] for r in (device or {}).get("readings", [])]
        if not keys and device and device.get("last_payload"):
            keys = list(device["last_payload"])
        self.reading.options = keys
        self.reading.value = keys[0] if keys else None
        self._reset_live()

    def _reset_live(self) -> None:
        with self._lock:
            self.live.clear()
            self.live_since = time.time() - 600
        name, unit = self._unit()
        with self.live_fig.batch_update():
            self.live_fig.data[0].x, self.live_fig.data[0].y = [], []
            self.live_fig.layout.yaxis.title.text = f"{name} ({unit})" if unit else name
            self.live_fig.layout.title.text = f"Live: {self.device.value or ''}"
        publish(self.live_fig)
        self.live_count.value = "0 points"

    def _update_live(self) -> None:
        acp_id, key = self.device.value, self.reading.value
        if not acp_id or not key:
            return
        now = time.time()
        reply = self.client.history(acp_id, self.live_since, now + 60, "raw")
        fresh = [(r["acp_ts"], r["payload"][key]) for r in reply["readings"] if key in r["payload"]]
        if acp_id != self.device.value or key != self.reading.value:
            return  # the user switched while we were fetching
        with self._lock:
            if reply["readings"]:
                self.live_since = reply["readings"][-1]["acp_ts"] + 1e-6
            self.live.extend(fresh)
            points = list(self.live)
        if fresh:
            with self.live_fig.batch_update():
                self.live_fig.data[0].x = [utc(t) for t, _ in points]
                self.live_fig.data[0].y = [v for _, v in points]
            publish(self.live_fig)
            self.live_count.value = f"{len(points)} points"
        self._live.check()

    def _history_clicked(self, _button: w.Button) -> None:
        """Button handler: any failure becomes a readable message, never a lost traceback."""
        try:
            self.show_history()
        except Exception as exc:  # noqa: BLE001 - shown to the user instead
            message = f"Cannot show history: {exc!r}"
            self.history_note.value = f"<span style='color:#b00'>{message}</span>"

    def show_history(self) -> None:
        """Load the chosen range at the chosen resolution into the history chart."""
        acp_id, key = self.device.value, self.reading.value
        if not acp_id or not key:
            return
        from hospital_twin.sensors.timeparse import parse_instant

        try:
            if self.range.value == "Custom":
                start = parse_instant(self.custom_start.value)
                end = parse_instant(self.custom_end.value) if self.custom_end.value else time.time()
            else:
                end = time.time()
                start = end - RANGES[self.range.value]
            self.history = self.client.history(acp_id, start, end, self.resolution.value)
        except (ValueError, ServiceUnavailable) as exc:
            self.history_note.value = f"<span style='color:#b00'>Cannot load history: {exc}</span>"
            return
        name, unit = self._unit()
        h = self.history
        if "readings" in h:
            pts = [(r["acp_ts"], r["payload"][key]) for r in h["readings"] if key in r["payload"]]
            lo = hi = []
            mid = pts
            step = "raw readings"
        else:
            cells = [(b["ts"], b["values"][key]) for b in h["buckets"] if key in b["values"]]
            mid = [(t, v["mean"]) for t, v in cells]
            lo = [(t, v["min"]) for t, v in cells]
            hi = [(t, v["max"]) for t, v in cells]
            step = f"{h['resolution'] // 60} min mean with min–max band"
        fig = go.Figure(self.hist_fig)  # shown as a new widget per range: see show_figure
        with fig.batch_update():
            for trace, series in zip(fig.data, (hi, lo, mid), strict=True):
                trace.x = [utc(t) for t, _ in series]
                trace.y = [v for _, v in series]
            fig.layout.yaxis.title.text = f"{name} ({unit})"
            fig.layout.title.text = f"{acp_id}: {name}, {step}"
        self.hist_fig = show_figure(self.hist_box, fig)
        self.history_note.value = f"{len(mid)} points, {step}"
        filename = f"{acp_id}_{key}_{utc(start):%Y%m%dT%H%M}_{utc(end):%Y%m%dT%H%M}.csv"
        self.export.value = download_link(history_csv(h, key), filename, "Export CSV")

    # -- polling ------------------------------------------------------------------------
    def _refresh_devices(self) -> None:
        self.devices = self.client.devices()
        if not self.rooms:
            self.rooms = self.client.get("/rooms")
        rooms = sorted({d["room"] for d in self.devices if d.get("room")})
        types = sorted({d["type"] for d in self.devices if d.get("type")})
        if list(self.f_room.options) != ["All", *rooms]:
            self.f_room.options = ["All", *rooms]
        if list(self.f_type.options) != ["All", *types]:
            self.f_type.options = ["All", *types]
        floors = sorted({d["floor"] for d in self.devices if d.get("floor") is not None})
        if floors and list(self.plan_floor.options) != floors:
            self.plan_floor.options = floors
        ids = [d["acp_id"] for d in self.devices]
        if list(self.device.options) != ids:
            current = self.device.value
            self.device.options = ids
            self.device.value = current if current in ids else self._first_reporting(ids)
        self._render_table()
        self._render_plan()
        self.alerts.value = alert_list(self.client.alerts(), time.time())

    def _first_reporting(self, ids: list[str]) -> str | None:
        online = [d["acp_id"] for d in self.devices if d["status"] == "online"]
        return online[0] if online else (ids[0] if ids else None)

    def _poll_once(self) -> None:
        """One refresh of devices (every other poll), the live chart and the status line."""
        try:
            if time.monotonic() - self._devices_at >= 2 * self.poll_seconds:
                self._refresh_devices()
                self._devices_at = time.monotonic()
            self._update_live()
            self.status.value = (
                f"<span style='color:#070'>service {self.client.base_url}"
                f" — updated {utc(time.time()):%H:%M:%S} UTC</span>"
            )
        except ServiceUnavailable:
            self.status.value = (
                f"<span style='color:#b00'>sensor service "
                f"{self.client.base_url} unreachable — retrying</span>"
            )
        except Exception as exc:  # noqa: BLE001 - keep polling whatever happens
            self.status.value = f"<span style='color:#b00'>update failed: {exc!r}</span>"

    def close(self) -> None:
        """Stop polling."""
        self.poller.stop()
