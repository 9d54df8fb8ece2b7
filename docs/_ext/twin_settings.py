"""Sphinx directive ``.. hospital-twin-settings::``: the table of ``HOSPITAL_TWIN_*`` settings.

The rows are generated from :class:`hospital_twin.settings.Settings` (variable, default,
description) when the documentation is built, so the table cannot drift from the code.
"""

from __future__ import annotations

import json
import re
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList

from hospital_twin.settings import Settings


def setting_rows() -> list[tuple[str, str, str]]:
    """(variable, default as text, description) of every setting, in declaration order."""
    rows = []
    for name, field in Settings.model_fields.items():
        default = field.default
        if isinstance(default, list | dict):
            text = json.dumps(default)
        elif default == "":
            text = ""
        else:
            text = str(default)
        rows.append((f"HOSPITAL_TWIN_{name.upper()}", text, field.description or ""))
    return rows


class SettingsTable(Directive):
    """Insert the settings table (no arguments, no content)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        title = "``HOSPITAL_TWIN_*`` settings (from ``hospital_twin/settings.py``)"
        lines = [f".. list-table:: {title}",
                 "   :header-rows: 1", "   :widths: 34 22 44", "",
                 "   * - Variable", "     - Default", "     - Meaning"]
        for variable, default, meaning in setting_rows():
            meaning = re.sub(r"`([^`]+)`", r"``\1``", meaning)
            lines += [f"   * - ``{variable}``",
                      f"     - ``{default}``" if default else "     - (empty)",
                      f"     - {meaning}"]
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source="hospital-twin-settings"),
                                self.content_offset, container)
        return list(container.children)


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("hospital-twin-settings", SettingsTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
