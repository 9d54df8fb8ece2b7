"""Times and resolutions in the API: ISO 8601 instants, DD/MM/YYYY days, bucket widths."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
_ISO_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")

#: Bucket widths chosen by ``resolution=auto`` (seconds), finest first.
AUTO_STEPS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400)


def parse_instant(text: str) -> float:
    """An ISO 8601 date or date-time (UTC when no offset is given) as UNIX seconds."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def parse_day(text: str) -> float:
    """The start (UTC) of a ``DD/MM/YYYY`` day as UNIX seconds."""
    return datetime.strptime(text.strip(), "%d/%m/%Y").replace(tzinfo=UTC).timestamp()


def day_span(start_day: str, end_day: str) -> tuple[float, float]:
    """``[start of start_day, end of end_day)`` for whole-day (earlier API) queries."""
    start = parse_day(start_day)
    end = parse_day(end_day) + timedelta(days=1).total_seconds()
    return start, end


def parse_resolution(text: str, span: float) -> int | None:
    """Bucket width in seconds for ``text``; None means raw readings.

    Accepts ``raw``, ``auto`` (raw up to 6 h, else the finest step giving ≤ 1000 buckets),
    plain seconds (``300``), ``30s``/``5m``/``1h``/``1d`` and ISO 8601 durations (``PT5M``).
    """
    text = text.strip()
    if text == "raw":
        return None
    if text == "auto":
        if span <= 6 * 3600:
            return None
        return next((s for s in AUTO_STEPS if span / s <= 1000), AUTO_STEPS[-1])
    if text.isdigit():
        seconds = int(text)
    elif (m := re.fullmatch(r"(\d+)(s|min|m|h|d)", text)) is not None:
        seconds = int(m.group(1)) * _UNITS[m.group(2)]
    elif (m := _ISO_DURATION.match(text)) is not None and any(m.groups()):
        d, h, mi, s = (int(g or 0) for g in m.groups())
        seconds = d * 86400 + h * 3600 + mi * 60 + s
    else:
        raise ValueError(f"resolution {text!r}: use raw, auto, seconds, 5m, 1h or PT5M")
    if seconds <= 0:
        raise ValueError("resolution must be positive")
    return seconds
