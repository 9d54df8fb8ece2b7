"""LIMS event logs: the format, its reader, the model's export, calibration and validation.

Data flow: a lab's LIMS export (or the model's own specimens, :mod:`.export`) →
:func:`read_event_log` (checked, every problem reported at once) → :mod:`.calibrate`
(arrival schedules and mixes into a workbook) or :mod:`.validate` (observed beside simulated).
"""

from hospital_twin.lims.export import event_log_csv, event_log_frame, write_event_log
from hospital_twin.lims.format import COLUMNS, EventLogRow, event_log_json_schema
from hospital_twin.lims.reader import EventLog, EventLogError, read_event_log

__all__ = [
    "COLUMNS",
    "EventLog",
    "EventLogError",
    "EventLogRow",
    "event_log_csv",
    "event_log_frame",
    "event_log_json_schema",
    "read_event_log",
    "write_event_log",
]
