"""JSON on the ingest hot path: orjson when installed (several times faster), else stdlib."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

try:  # pinned as orjson>=3.10,<4; optional so a bare install still works
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None


#: Parse JSON (bytes or str); ValueError on invalid input. The C function itself when
#: orjson is there: it is called once per sensor message.
loads: Callable[[bytes | str], Any] = orjson.loads if orjson else json.loads


def dumps(obj: Any) -> str:
    """Compact JSON text (stdlib for what orjson refuses, e.g. integers beyond 64 bits)."""
    if orjson:
        try:
            return orjson.dumps(obj).decode()
        except TypeError:
            pass
    return json.dumps(obj, separators=(",", ":"))
