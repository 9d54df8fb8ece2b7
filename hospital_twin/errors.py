"""The package's error for bad configuration input, with precise locations.

Every problem found in a workbook or a JSON configuration becomes one
:class:`ConfigProblem` naming where it is (sheet, table or defined name, row label,
column) and what was expected; all problems of one input are raised together as a
single :class:`ConfigError`, so a user fixes everything in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with an input, and where."""

    message: str
    sheet: str | None = None
    table: str | None = None  # an Excel table name, or a defined name
    row: str | None = None  # the row label (task, resource, batch, hour)
    column: str | None = None
    cell: str | None = None  # e.g. "B5", when known

    def location(self) -> str:
        parts = []
        if self.sheet is not None:
            parts.append(f'sheet "{self.sheet}"')
        if self.table is not None:
            parts.append(f'table "{self.table}"' if not self.table.startswith("name ")
                         else self.table.replace("name ", 'defined name "', 1) + '"')
        if self.row is not None:
            parts.append(f'row "{self.row}"')
        if self.column is not None:
            parts.append(f'column "{self.column}"')
        if self.cell is not None:
            parts.append(f"cell {self.cell}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class ConfigError(ValueError):
    """A configuration (workbook or JSON) is invalid; ``problems`` lists every fault."""

    def __init__(self, problems: list[ConfigProblem] | ConfigProblem | str, source: str = ""):
        if isinstance(problems, str):
            problems = [ConfigProblem(problems)]
        elif isinstance(problems, ConfigProblem):
            problems = [problems]
        self.problems: list[ConfigProblem] = list(problems)
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        head = f"{self.source}: " if self.source else ""
        if len(self.problems) == 1:
            return head + str(self.problems[0])
        lines = [f"{head}{len(self.problems)} problems:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    def as_dicts(self) -> list[dict[str, str | None]]:
        """The problems as JSON-ready dicts (for API error bodies and dashboards)."""
        return [
            {
                "message": p.message,
                "sheet": p.sheet,
                "table": p.table,
                "row": p.row,
                "column": p.column,
                "cell": p.cell,
                "text": str(p),
            }
            for p in self.problems
        ]
