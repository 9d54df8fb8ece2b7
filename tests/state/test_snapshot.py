"""The snapshot reader: good CSV and JSON are read; every kind of fault is reported with
file, row and column, all at once, and nothing is returned on error."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hospital_twin.config import ConfigError
from hospital_twin.state import SnapshotRow, read_snapshot, write_snapshot_csv

START = dt.datetime(2026, 12, 7)
HEADER = "specimen_id,arrived_at,pathway,priority,stage,blocks,slides\n"
GOOD = HEADER + (
    "A1,2026-12-04T09:30,cancer,Cancer,cutup,,\n"
    "A2,2026-12-05 10:00,noncancer,Routine,microtomy,3,7\n"
    "A3,2026-12-01T08:00:00+00:00,cancer,Urgent,report,,\n"
)


def _problems(data: bytes | str, name: str = "state.csv") -> list:
    raw = data.encode() if isinstance(data, str) else data
    with pytest.raises(ConfigError) as caught:
        read_snapshot(raw, start=START, name=name)
    assert name in str(caught.value)
    return caught.value.problems


def _at(problems: list, row: int | None, column: str | None) -> str:
    found = [p.message for p in problems
             if p.row == (None if row is None else str(row)) and p.column == column]
    assert found, [str(p) for p in problems]
    return found[0]


def test_good_csv_is_read() -> None:
    rows = read_snapshot(GOOD.encode(), start=START, name="state.csv")
    assert [r.specimen_id for r in rows] == ["A1", "A2", "A3"]
    assert rows[1].blocks == 3 and rows[1].slides == 7 and rows[0].blocks is None
    assert rows[1].arrived_at == dt.datetime(2026, 12, 5, 10)
    assert rows[2].stage == "report" and rows[2].priority == "Urgent"


def test_csv_round_trips_through_the_writer(tmp_path: Path) -> None:
    rows = read_snapshot(GOOD.encode(), start=START, name="state.csv")
    write_snapshot_csv(rows, tmp_path / "again.csv")
    assert read_snapshot(tmp_path / "again.csv", start=START) == rows


def test_json_is_read_as_a_list_or_under_specimens(tmp_path: Path) -> None:
    items = [{"specimen_id": "J1", "arrived_at": "2026-12-06T12:00", "pathway": "cancer",
              "priority": "Priority", "stage": "qc", "slides": 4}]
    for payload in (items, {"specimens": items}):
        path = tmp_path / "state.json"
        path.write_text(json.dumps(payload))
        (row,) = read_snapshot(path, start=START)
        assert row == SnapshotRow(specimen_id="J1", arrived_at=dt.datetime(2026, 12, 6, 12),
                                  pathway="cancer", priority="Priority", stage="qc", slides=4)


def test_every_row_fault_is_reported_at_once() -> None:
    text = HEADER + (
        "B1,2026-12-04T09:30,cancer,Cancer,embedding,,\n"  # 2: unknown stage
        "B2,yesterday,cancer,Cancer,cutup,,\n"  # 3: bad date
        "B3,2026-12-08T09:00,cancer,Cancer,cutup,,\n"  # 4: future arrival
        "B1,2026-12-04T09:30,cancer,Cancer,cutup,,\n"  # 5: duplicate id
        "B5,2026-12-04T09:30,cancer,Cancer,cutup,-2,\n"  # 6: negative blocks
        "B6,2026-12-04T09:30,cancer,Cancer,cutup,,two\n"  # 7: not a count
        "B7,2026-12-04T09:30,oncology,Cancer,cutup,,\n"  # 8: unknown pathway
        "B8,2026-12-04T09:30,noncancer,Cancer,cutup,,\n"  # 9: priority not of the pathway
        "B9,2026-12-04T09:30,cancer,Whenever,cutup,,\n"  # 10: unknown priority
        "B10,,cancer,Cancer,cutup,,\n"  # 11: missing value
        "B11,2026-12-04T09:30,cancer,Cancer,staining,4,2\n"  # 12: fewer slides than blocks
        "B12,2026-12-04T09:30,cancer\n"  # 13: short row
    )
    problems = _problems(text)
    assert "unknown stage 'embedding'" in _at(problems, 2, "stage")
    assert "ISO date-time" in _at(problems, 3, "arrived_at")
    assert "after the snapshot time" in _at(problems, 4, "arrived_at")
    assert "duplicate specimen_id" in _at(problems, 5, "specimen_id")
    assert "first on row 2" in _at(problems, 5, "specimen_id")
    assert "at least 1" in _at(problems, 6, "blocks")
    assert "whole number" in _at(problems, 7, "slides")
    assert "unknown pathway" in _at(problems, 8, "pathway")
    assert "noncancer pathway" in _at(problems, 9, "priority")
    assert "unknown priority 'Whenever'" in _at(problems, 10, "priority")
    assert "required" in _at(problems, 11, "arrived_at")
    assert "every block" in _at(problems, 12, "slides")
    assert "expected 7 values" in _at(problems, 13, None)
    assert len(problems) == 12  # one per faulty row (rows 2-13)
    assert [p.row for p in problems] == [str(r) for r in range(2, 14)]  # in file order


def test_wrong_columns() -> None:
    problems = _problems("specimen,arrived_at,pathway,priority,stage,colour\nA,,,,,\n")
    assert "missing column" in _at(problems, 1, "specimen_id")
    assert "unknown column" in _at(problems, 1, "specimen")
    assert "unknown column" in _at(problems, 1, "colour")


def test_empty_file_and_header_only() -> None:
    assert "empty" in _problems("")[0].message
    assert "empty" in _problems("  \n\n")[0].message
    assert "no specimens" in _problems(HEADER)[0].message


@pytest.mark.parametrize(("data", "fragment"), [
    (b"PK\x03\x04" + bytes(100), "zip file"),
    (bytes(range(256)) * 4, "not UTF-8"),
    (b"id\x00x\n", "binary"),
    ("specimen_id;arrived_at;pathway;priority;stage\nA;2026-12-01;cancer;Cancer;qc\n",
     "separator"),
    ('{"specimens": 3}', "JSON list"),
    ("[1, 2", "not valid JSON"),
])
def test_not_a_csv(data: bytes | str, fragment: str) -> None:
    (problem,) = _problems(data)
    assert fragment in problem.message


def test_json_faults_name_the_item() -> None:
    items = [{"specimen_id": "J1", "arrived_at": "2026-12-06T12:00", "pathway": "cancer",
              "priority": "Cancer", "stage": "qc", "colour": "red"},
             {"specimen_id": "J2", "arrived_at": "2026-12-06T12:00", "pathway": "cancer",
              "priority": "Cancer", "stage": "nowhere"}]
    problems = _problems(json.dumps(items), name="state.json")
    assert "unknown field" in _at(problems, 1, None)
    assert "unknown stage" in _at(problems, 2, "stage")


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        read_snapshot(tmp_path / "nope.csv", start=START)
