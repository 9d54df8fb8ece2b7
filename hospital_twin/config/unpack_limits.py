"""How much an uploaded workbook may unpack to, checked on the zip's directory before any
part is decompressed: a decompression bomb (a few MB of zip holding hundreds of MB of
shared strings) is refused in milliseconds instead of costing the parser a minute and a
gigabyte.

The sizes checked are the ones the zip declares; Python's ``zipfile`` (and so openpyxl)
never unpacks more than a part declares, so a lying header only truncates that part.
The limits are settings (``HOSPITAL_TWIN_MAX_WORKBOOK_UNPACKED_BYTES`` and
``HOSPITAL_TWIN_MAX_WORKBOOK_PART_BYTES``); a real lab workbook unpacks to well under 1 MB.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from hospital_twin.errors import ConfigError, ConfigProblem

MB = 1_000_000


@dataclass(frozen=True)
class UnpackLimits:
    """Largest total and largest single part a workbook may unpack to, in bytes."""

    total_bytes: int
    part_bytes: int

    @classmethod
    def from_settings(cls) -> UnpackLimits:
        """The limits of the current settings."""
        from hospital_twin.settings import get_settings

        settings = get_settings()
        return cls(settings.max_workbook_unpacked_bytes, settings.max_workbook_part_bytes)


class WorkbookTooLarge(ConfigError):
    """A workbook that would unpack to more than the limits allow (HTTP 413)."""


def check_unpacked_sizes(members: list[zipfile.ZipInfo], label: str,
                         limits: UnpackLimits | None = None) -> None:
    """Raise :class:`WorkbookTooLarge` naming the part, its size and the setting when the
    workbook's parts would unpack to more than ``limits`` (default: the settings')."""
    limits = limits or UnpackLimits.from_settings()
    problems = []
    largest = max(members, key=lambda m: m.file_size, default=None)
    if largest is not None and largest.file_size > limits.part_bytes:
        problems.append(
            f"the workbook part {largest.filename} unpacks to {largest.file_size / MB:.1f} MB, "
            f"more than the {limits.part_bytes / MB:g} MB allowed per part "
            "(setting HOSPITAL_TWIN_MAX_WORKBOOK_PART_BYTES); refused before unpacking")
    total = sum(m.file_size for m in members)
    if total > limits.total_bytes:
        problems.append(
            f"the workbook unpacks to {total / MB:.1f} MB, more than the "
            f"{limits.total_bytes / MB:g} MB allowed in total "
            "(setting HOSPITAL_TWIN_MAX_WORKBOOK_UNPACKED_BYTES); refused before unpacking")
    if problems:
        raise WorkbookTooLarge([ConfigProblem(p) for p in problems], source=label)
