"""A small REST client of the sensor service (stdlib only), used by the dashboard kernel."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from typing import Any


class ServiceUnavailable(RuntimeError):
    """The sensor service did not answer (it may be restarting)."""


def iso(ts: float) -> str:
    """UNIX seconds as an ISO 8601 UTC instant."""
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


class SensorClient:
    """GETs JSON from the sensor service at ``base_url``."""

    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def get(self, path: str, **params: Any) -> Any:
        """JSON of ``GET path?params``; :class:`ServiceUnavailable` on any failure."""
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        url = f"{self.base_url}{path}" + (f"?{query}" if query else "")
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as reply:
                return json.loads(reply.read())
        except (OSError, ValueError) as exc:
            raise ServiceUnavailable(f"{url}: {exc}") from exc

    def devices(self) -> list[dict[str, Any]]:
        """``GET /devices``."""
        return self.get("/devices")

    def alerts(self) -> list[dict[str, Any]]:
        """``GET /alerts`` (active and the last day's)."""
        return self.get("/alerts")

    def history(self, acp_id: str, start: float, end: float, resolution: str) -> dict[str, Any]:
        """``GET /devices/{id}/history`` between two UNIX times."""
        path = f"/devices/{urllib.parse.quote(acp_id)}/history"
        return self.get(path, start=iso(start), end=iso(end), resolution=resolution)
