"""JSON on the ingest hot path: orjson when installed (several times faster), else stdlib."""

from __future__ import annotations

import json
from typing import Any

try:  # pinned as orjson>=3.10,<4; optional so a bare install still works
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None


def loads(data: bytes | str) -> Any:
    """Parse JSON; ValueError on invalid input."""
    return orjson.loads(data) if orjson else json.loads(data)


def dumps(obj: Any) -> str:
    """Compact JSON text (stdlib for what orjson refuses, e.g. integers beyond 64 bits)."""
    if orjson:
        try:
            return orjson.dumps(obj).decode()
        except TypeError:
            pass
    return json.dumps(obj, separators=(",", ":"))
