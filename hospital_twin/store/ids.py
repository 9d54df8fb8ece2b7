"""Row ids the database can hold: SQLite and PostgreSQL keys are signed 64-bit integers.

A larger Python int would not even reach the database (``OverflowError`` in the driver), so
lookups treat an id outside this range as unknown rather than as a crash.
"""

from __future__ import annotations

#: The largest id a row can have (signed 64-bit).
MAX_ID = 2**63 - 1


def storable_id(value: object) -> bool:
    """True if ``value`` is an int (not a bool) that fits a 64-bit signed key."""
    return isinstance(value, int) and not isinstance(value, bool) and -MAX_ID - 1 <= value <= MAX_ID
