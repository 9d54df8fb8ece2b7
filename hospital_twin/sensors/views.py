"""Pure rendering for the sensor dashboard: tables, alert list, floor-plan traces, CSV."""

from __future__ import annotations

import base64
import csv
import html
import io
from datetime import UTC, datetime
from typing import Any

import plotly.graph_objects as go

#: Floor-plan colour choices: label → quantity (matched against each device's readings).
PLAN_QUANTITIES = {
    "Temperature": "temperature",
    "Relative humidity": "humidity",
    "CO₂": "co2",
    "Battery": "battery_mv",
    "Occupancy": "occupancy",
    "Sound": "sound",
}


def utc(ts: float) -> datetime:
    """UNIX seconds as a naive UTC datetime (plotly axes are labelled UTC)."""
    return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None)


def _when(ts: float | None, now: float) -> str:
    if ts is None:
        return "—"
    ago = now - ts
    age = f"{ago:.0f} s ago" if ago < 120 else f"{ago / 60:.0f} min ago"
    return f"{utc(ts):%Y-%m-%d %H:%M:%S} ({age})"


def _summary(device: dict[str, Any]) -> str:
    payload = device.get("last_payload") or {}
    units = {r["key"]: r["unit"] for r in device.get("readings", [])}
    shown = [k for k in units if k in payload][:3] or list(payload)[:3]
    return ", ".join(f"{k} {payload[k]:g} {units.get(k, '')}".strip() for k in shown)


def filter_devices(
    devices: list[dict[str, Any]], room: str, kind: str, status: str
) -> list[dict[str, Any]]:
    """Devices matching the overview filters ('All' matches everything)."""
    return [
        d
        for d in devices
        if room in ("All", d.get("room"))
        and kind in ("All", d.get("type"))
        and status in ("All", d.get("status"))
    ]


def device_table(devices: list[dict[str, Any]], now: float) -> str:
    """The device overview as an HTML table."""
    rows = []
    for d in devices:
        battery = "—" if d.get("battery_mv") is None else f"{d['battery_mv']:.0f} mV"
        flag = "" if d.get("registered", True) else " (unregistered)"
        rows.append(
            f"<tr class='status-{d['status']}'><td>{html.escape(d['acp_id'])}{flag}</td>"
            f"<td>{html.escape(str(d.get('room') or '—'))}</td>"
            f"<td>{html.escape(str(d.get('type') or '—'))}</td>"
            f"<td class='status'>{d['status']}</td><td>{battery}</td>"
            f"<td>{_when(d.get('last_ts'), now)}</td>"
            f"<td>{html.escape(_summary(d))}</td></tr>"
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in ("Device", "Room", "Type", "Status", "Battery", "Last reading (UTC)", "Values")
    )
    return (
        "<style>.sensor-table td,.sensor-table th{padding:2px 8px;text-align:left}"
        ".status-stale .status,.status-never .status{color:#b00;font-weight:bold}"
        ".status-online .status{color:#070}</style>"
        f"<table class='sensor-table'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        f"<div class='sensor-count'>{len(devices)} devices</div>"
    )


def alert_list(alerts: list[dict[str, Any]], now: float, recent: int = 10) -> str:
    """Active alerts (all) and the latest cleared ones as HTML."""
    active = [a for a in alerts if a["active"]]
    cleared = [a for a in alerts if not a["active"]][:recent]

    def item(a: dict[str, Any]) -> str:
        end = "" if a["active"] else f" — cleared {_when(a['cleared_ts'], now)}"
        return (
            f"<li><b>{html.escape(a['acp_id'])}</b> {a['kind']}: "
            f"{html.escape(a['message'])} — since {_when(a['raised_ts'], now)}{end}</li>"
        )

    return (
        f"<div class='sensor-alerts'><b>Active alerts: {len(active)}</b>"
        f"<ul>{''.join(item(a) for a in active) or '<li>none</li>'}</ul>"
        f"<b>Recently cleared</b><ul>{''.join(item(a) for a in cleared) or '<li>none</li>'}"
        "</ul></div>"
    )


def reading_of(device: dict[str, Any], quantity: str) -> dict[str, Any] | None:
    """The device's reading (key, name, unit) measuring ``quantity``, if any."""
    return next((r for r in device.get("readings", []) if r["quantity"] == quantity), None)


def floor_plan_data(devices: list[dict[str, Any]], floor: int, quantity: str) -> dict[str, Any]:
    """Marker positions, values, labels and the unit for one floor coloured by ``quantity``."""
    xs, ys, values, labels, unit = [], [], [], [], ""
    for d in devices:
        if d.get("floor") != floor:
            continue
        kind = reading_of(d, quantity)
        payload = d.get("last_payload") or {}
        value = payload.get(kind["key"]) if kind else None
        unit = unit or (kind["unit"] if kind else "")
        xs.append(d["x"])
        ys.append(d["y"])
        values.append(value)
        shown = "no reading" if value is None else f"{value:g} {kind['unit']}"
        labels.append(f"{d['acp_id']}<br>{d['room']}<br>{shown}")
    return {"x": xs, "y": ys, "values": values, "labels": labels, "unit": unit}


def room_shapes(rooms: list[dict[str, Any]], floor: int) -> tuple[list[dict], list[dict]]:
    """Rectangles and name annotations of a floor's rooms for a plotly layout."""
    shapes, notes = [], []
    for r in rooms:
        if r["floor"] != floor:
            continue
        shapes.append(
            {
                "type": "rect",
                "x0": r["x0"],
                "y0": r["y0"],
                "x1": r["x1"],
                "y1": r["y1"],
                "line": {"color": "#888"},
                "fillcolor": "rgba(0,0,0,0)",
            }
        )
        notes.append(
            {
                "x": (r["x0"] + r["x1"]) / 2,
                "y": r["y0"] + 0.8,
                "text": r["name"],
                "showarrow": False,
                "font": {"size": 11, "color": "#555"},
            }
        )
    return shapes, notes


#: Height of every dashboard chart, in pixels (its box keeps this height while re-shown).
CHART_HEIGHT = 340


def empty_figure(title: str, x_title: str, y_title: str) -> go.FigureWidget:
    """A FigureWidget with titled axes (units in the titles)."""
    fig = go.FigureWidget()
    fig.update_layout(
        title=title,
        height=CHART_HEIGHT,
        margin={"l": 60, "r": 20, "t": 40, "b": 50},
        xaxis_title=x_title,
        yaxis_title=y_title,
    )
    return fig


def history_csv(history: dict[str, Any], key: str) -> str:
    """The shown history range of one reading as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out)
    unit = history.get("units", {}).get(key, "")
    if "readings" in history:
        writer.writerow(["time_utc", "acp_ts", f"{key} [{unit}]"])
        for r in history["readings"]:
            if key in r["payload"]:
                writer.writerow([utc(r["acp_ts"]).isoformat(), r["acp_ts"], r["payload"][key]])
    else:
        writer.writerow(
            ["bucket_start_utc", "n", f"mean [{unit}]", f"min [{unit}]", f"max [{unit}]"]
        )
        for b in history["buckets"]:
            v = b["values"].get(key)
            if v:
                writer.writerow([utc(b["ts"]).isoformat(), v["n"], v["mean"], v["min"], v["max"]])
    return out.getvalue()


def download_link(text: str, filename: str, label: str) -> str:
    """An HTML link that downloads ``text`` as a file (no server round trip)."""
    data = base64.b64encode(text.encode()).decode()
    return (
        f"<a class='csv-export' download='{html.escape(filename)}' "
        f"href='data:text/csv;base64,{data}'>{html.escape(label)}</a>"
    )
