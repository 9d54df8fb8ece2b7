"""Bad event logs: every problem reported at once, with row, column and what is wrong."""

from __future__ import annotations

import io

import openpyxl
import pytest

from hospital_twin.lims import EventLogError, read_event_log

HEADER = ("specimen_id,pathway,priority,received,cutup_end,processing_end,microtomy_end,"
          "staining_end,scanning_end,qc_end,reported,blocks,slides,source")
GOOD = "A1,cancer,Urgent,2024-01-01T08:00:00,2024-01-01T09:00:00,,,,,,,2,,Internal"


def problems(data: bytes, name: str = "bad.csv") -> list[str]:
    with pytest.raises(EventLogError) as caught:
        read_event_log(data, name=name)
    assert caught.value.source == name
    return [str(p) for p in caught.value.problems]


def test_every_row_problem_is_named_with_row_and_column():
    rows = [
        GOOD,
        "A2,cancer,Urgent,2024-01-01 x,,,,,,,,,,",  # unparseable date
        "A3,noncancer,Routine,2024-01-02T08:00:00,2024-01-01T09:00:00,,,,,,,,,",  # order
        "A1,noncancer,Routine,2024-01-02T08:00:00,,,,,,,,,,",  # duplicate id
        "A5,oncology,Routine,2024-01-02T08:00:00,,,,,,,,,,",  # unknown pathway
        "A6,cancer,Soon,2024-01-02T08:00:00,,,,,,,,,,",  # unknown priority
        "A7,cancer,Cancer,2024-01-02T08:00:00,,2024-01-03T08:00:00,,,,,,,,",  # gap
        "A8,cancer,Cancer,2024-01-02T08:00:00+01:00,,,,,,,,-1,,Elsewhere",  # offset, count, source
        "A9,cancer,Cancer,,,,,,,,,,,",  # no reception time
    ]
    found = problems(("\n".join([HEADER, *rows]) + "\n").encode())
    expected = [
        ('row "3", column "received"', "cannot read '2024-01-01 x' as a date-time"),
        ('row "4", column "cutup_end"', "is before received 2024-01-02 08:00:00"),
        ('row "5", column "specimen_id"', "duplicate specimen_id 'A1' (first on row 2)"),
        ('row "6", column "pathway"', "unknown pathway 'oncology'"),
        ('row "7", column "priority"', "unknown priority 'Soon'"),
        ('row "8", column "processing_end"', "given but the earlier step cutup_end is blank"),
        ('row "9", column "received"', "time-zone offsets are not accepted"),
        ('row "9", column "blocks"', "expected a whole number >= 0"),
        ('row "9", column "source"', "unknown source 'Elsewhere'"),
        ('row "10", column "received"', "received is blank"),
    ]
    for where, what in expected:
        assert any(where in p and what in p for p in found), (where, what, found)
    assert len(found) == len(expected), found


def test_an_unreadable_time_is_reported_once_not_as_a_gap():
    """An unreadable time is one problem; it is neither a blank step nor an order break."""
    row = "C1,cancer,Urgent,08/01/2024 09:00,2024-01-08T10:00:00,x,2024-01-08T09:00:00,,,,,,,"
    found = problems(("\n".join([HEADER, row]) + "\n").encode())
    assert len(found) == 3, found
    assert 'row "2", column "received": cannot read \'08/01/2024 09:00\'' in found[0]
    assert 'row "2", column "processing_end": cannot read \'x\'' in found[1]
    # the order is still checked across the unreadable cell
    assert "microtomy_end 2024-01-08 09:00:00 is before cutup_end 2024-01-08 10:00:00" in found[2]


def test_missing_columns_are_all_named():
    found = problems(b"specimen_id,pathway,received,reported\nA1,cancer,2024-01-01T08:00:00,\n")
    missing = {"priority", "cutup_end", "processing_end", "microtomy_end", "staining_end",
               "scanning_end", "qc_end"}
    assert len(found) == len(missing)
    for column in missing:
        assert any(f'column "{column}"' in p and "missing column" in p for p in found), found


@pytest.mark.parametrize(("data", "message"), [
    (b"", "the file is empty"),
    (b"  \n\n", "the file is empty"),
    ((HEADER + "\n").encode(), "header but no specimen rows"),
    (b"\x00\x01\x02binary", "not a CSV file: it holds binary data"),
])
def test_empty_and_binary_files(data, message):
    assert any(message in p for p in problems(data))


def test_an_excel_workbook_is_not_a_csv():
    book = openpyxl.Workbook()
    book.active.append(HEADER.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    assert any("looks like an Excel workbook" in p for p in problems(buffer.getvalue()))


def test_spellings_and_optional_columns_are_accepted():
    text = ("Specimen_ID,Pathway,Priority,Received,CUTUP_END,processing_end,microtomy_end,"
            "staining_end,scanning_end,qc_end,reported,extra\n"
            "X,Non-Cancer,ROUTINE,2024-01-01 08:00,2024-01-01T09:30:00,,,,,,,ignored\n")
    log = read_event_log(text.encode())
    row = log.frame.iloc[0]
    assert (row["pathway"], row["priority"]) == ("noncancer", "Routine")
    assert row["cutup_end"].hour == 9 and row["blocks"] != row["blocks"]  # NaN: not given


def test_many_problems_are_capped_and_counted():
    rows = [f"B{i},cancer,Urgent,not-a-date,,,,,,,,,," for i in range(250)]
    found = problems(("\n".join([HEADER, *rows]) + "\n").encode())
    assert len(found) == 201 and found[-1] == "... and 50 more problems not listed"
