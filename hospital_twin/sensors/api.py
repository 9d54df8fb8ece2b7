"""The sensor service's HTTP/WebSocket API (FastAPI).

Earlier-server endpoints (``/``, ``/latest/``, ``/history/``, ``/ws/``, ``/ws/{ids}``) keep
their layouts; every path answers with and without a trailing slash (no redirects).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from hospital_twin.sensors.alerts import list_alerts
from hospital_twin.sensors.service import SensorService
from hospital_twin.sensors.store import downsampled_history, latest_readings, raw_history
from hospital_twin.sensors.timeparse import day_span, parse_instant, parse_resolution
from hospital_twin.settings import Settings, get_settings

TWO_DAYS = 2 * 86400
MAX_RAW_POINTS = 200_000


class HistoryRequest(BaseModel):
    """Body of the earlier ``POST /history/``: whole days as ``DD/MM/YYYY``."""

    acp_id: str
    start_time: str
    end_time: str


def _both(path: str) -> list[str]:
    bare = path.rstrip("/") or "/"
    return [bare] if bare == "/" else [bare, bare + "/"]


def _route(app: FastAPI, method: str, path: str, **kw: Any) -> Callable:
    def register(fn: Callable) -> Callable:
        for p in _both(path):
            app.add_api_route(p, fn, methods=[method], **kw)
        return fn

    return register


def device_status(svc: SensorService, now: float) -> list[dict[str, Any]]:
    """Registry devices (and unregistered ones seen) with status, battery and last reading."""
    seen = {row["acp_id"]: row for row in latest_readings(svc.engine)}
    out = []
    for acp_id in [*svc.registry.devices, *sorted(set(seen) - set(svc.registry.devices))]:
        device = svc.registry.get(acp_id)
        row = seen.get(acp_id)
        base = (
            device.to_json()
            if device
            else {
                "acp_id": acp_id,
                "type": None,
                "room": None,
                "floor": None,
                "x": None,
                "y": None,
                "location": None,
                "readings": [],
                "thresholds": [],
            }
        )
        battery = None
        if row and device:
            keys = [r.key for r in device.readings if r.quantity == "battery_mv"]
            battery = next((row["payload"][k] for k in keys if k in row["payload"]), None)
        stale = svc.settings.sensors_stale_seconds
        out.append(
            {
                **base,
                "registered": device is not None,
                "status": "never"
                if row is None
                else ("online" if now - row["received_ts"] <= stale else "stale"),
                "last_ts": row["acp_ts"] if row else None,
                "last_received": row["received_ts"] if row else None,
                "last_payload": row["payload"] if row else None,
                "battery_mv": battery,
                "count": row["count"] if row else 0,
            }
        )
    return out


def create_app(settings: Settings | None = None, mqtt_enabled: bool = True) -> FastAPI:
    """The sensor service app; its lifespan starts ingest (and MQTT unless disabled)."""
    settings = settings or get_settings()
    svc = SensorService.from_settings(settings, mqtt_enabled)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        svc.start()
        try:
            yield
        finally:
            svc.stop()

    app = FastAPI(title="Hospital Twin sensor service", lifespan=lifespan, redirect_slashes=False)
    app.state.service = svc
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.sensors_cors_origins,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Content-Type", "Authorization"],
    )

    @_route(app, "GET", "/")
    def health() -> dict[str, Any]:
        """Health: service name, device count, MQTT state, ingest counters."""
        stats = svc.ingestor.stats()
        return {
            "status": "ok",
            "service": "hospital-twin sensors",
            "time": time.time(),
            "devices": len(svc.registry.devices),
            "mqtt_connected": bool(svc.mqtt and svc.mqtt.connected),
            "stored": stats["stored"],
            "malformed": stats["malformed_total"],
        }

    @_route(app, "GET", "/latest/")
    def latest() -> list[dict[str, Any]]:
        """Newest reading per device with data in the last two days."""
        rows = latest_readings(svc.engine, since=time.time() - TWO_DAYS)
        return [
            {"acp_id": r["acp_id"], "acp_ts": r["acp_ts"], "payload": r["payload"]} for r in rows
        ]

    @_route(app, "POST", "/history/")
    def history(body: HistoryRequest) -> list[dict[str, Any]] | None:
        """Readings of one device over whole days (DD/MM/YYYY, inclusive), or null."""
        try:
            start, end = day_span(body.start_time, body.end_time)
        except ValueError as exc:
            raise HTTPException(422, f"dates must be DD/MM/YYYY: {exc}") from None
        rows = raw_history(svc.engine, body.acp_id, start, end, MAX_RAW_POINTS)
        return rows or None

    @_route(app, "POST", "/readings")
    async def post_readings(request: Request) -> JSONResponse:
        """HTTP ingest: one reading in the live layout, or an array of them."""
        body = await request.body()
        limit = settings.sensors_max_message_bytes * 1000
        if len(body) > limit:
            svc.ingestor.reject("too_large", f"{len(body)} bytes", "http")
            return JSONResponse({"detail": f"body larger than {limit} bytes"}, 413)
        try:
            doc = json.loads(body)
        except ValueError as exc:
            svc.ingestor.reject("bad_json", str(exc)[:80], "http")
            return JSONResponse({"detail": f"body is not JSON: {exc}"}, 422)
        items = doc if isinstance(doc, list) else [doc]
        accepted = sum(svc.ingestor.submit_raw(item) is not None for item in items)
        return JSONResponse(
            {"accepted": accepted, "rejected": len(items) - accepted},
            202 if accepted else 422,
        )

    @_route(app, "GET", "/devices")
    def devices() -> list[dict[str, Any]]:
        """Every registered device (and flagged unregistered ones) with status."""
        return device_status(svc, time.time())

    @_route(app, "GET", "/rooms")
    def rooms() -> list[dict[str, Any]]:
        """The registry's rooms with their rectangles on each floor plan (metres)."""
        return [vars(r) for r in svc.registry.rooms]

    @_route(app, "GET", "/devices/{acp_id}")
    def device(acp_id: str) -> dict[str, Any]:
        """One device with its status."""
        found = [d for d in device_status(svc, time.time()) if d["acp_id"] == acp_id]
        if not found:
            raise HTTPException(404, f"no device {acp_id!r}")
        return found[0]

    @_route(app, "GET", "/devices/{acp_id}/history")
    def device_history(
        acp_id: str,
        start: str | None = Query(None, description="ISO 8601, default end − 1 h"),
        end: str | None = Query(None, description="ISO 8601, default now"),
        resolution: str = Query("auto", description="raw, auto, 60, 5m, 1h, PT15M …"),
    ) -> dict[str, Any]:
        """Raw readings or mean/min/max buckets of one device over [start, end)."""
        try:
            t1 = parse_instant(end) if end else time.time()
            t0 = parse_instant(start) if start else t1 - 3600
            step = parse_resolution(resolution, t1 - t0)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        if t1 <= t0:
            raise HTTPException(422, "end must be after start")
        dev = svc.registry.get(acp_id)
        reply: dict[str, Any] = {
            "acp_id": acp_id,
            "start": t0,
            "end": t1,
            "resolution": step or "raw",
            "units": {r.key: r.unit for r in dev.readings} if dev else {},
            "names": {r.key: r.name for r in dev.readings} if dev else {},
        }
        if step is None:
            reply["readings"] = raw_history(svc.engine, acp_id, t0, t1, MAX_RAW_POINTS)
        else:
            reply["buckets"] = downsampled_history(svc.engine, acp_id, t0, t1, step)
        return reply

    @_route(app, "GET", "/alerts")
    def alerts(
        since: str | None = Query(None, description="ISO 8601; default the last 24 h"),
    ) -> list[dict[str, Any]]:
        """Active alerts and those raised or cleared since ``since``."""
        try:
            t0 = parse_instant(since) if since else time.time() - 86400
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        return list_alerts(svc.engine, t0)

    @_route(app, "GET", "/stats")
    def stats() -> dict[str, Any]:
        """Ingest counters (accepted, stored, malformed by reason …) and WebSocket stats."""
        return {
            **svc.ingestor.stats(),
            "websocket": svc.hub.stats(),
            "mqtt": {
                "connected": bool(svc.mqtt and svc.mqtt.connected),
                "connects": svc.mqtt.connects if svc.mqtt else 0,
            },
        }

    async def stream(ws: WebSocket, acp_ids: str | None = None) -> None:
        wanted = frozenset(i for i in (acp_ids or "").split(",") if i) or None
        await ws.accept()
        sub = svc.hub.subscribe(wanted)

        async def pump() -> None:
            try:
                while True:
                    await ws.send_text(await sub.queue.get())
            except Exception:  # noqa: BLE001 - the client went away; the reader loop ends
                return

        sender = asyncio.create_task(pump())
        try:
            while True:  # the client may send anything (ignored); this notices it leaving
                if (await ws.receive())["type"] == "websocket.disconnect":
                    break
        except WebSocketDisconnect:
            pass
        finally:
            sender.cancel()
            svc.hub.unsubscribe(sub)

    for path in ("/ws", "/ws/", "/ws/{acp_ids}", "/ws/{acp_ids}/"):
        app.add_api_websocket_route(path, stream)
    return app


def serve(host: str, port: int, settings: Settings | None = None) -> None:
    """Run the service with uvicorn until interrupted."""
    import uvicorn

    settings = settings or get_settings()
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info",
                ws_max_size=1 << 20, access_log=settings.access_log)
