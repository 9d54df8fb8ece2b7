"""The sensor service's own tables in the product database (SQLAlchemy Core).

``sensor_readings`` keeps raw readings (retention-limited), ``sensor_rollup`` 5-minute
count/sum/min/max per device and key (kept much longer), ``sensor_latest`` the newest reading
of every device ever seen (registered or not), ``sensor_alerts`` raised/cleared alerts.
"""

from __future__ import annotations

from sqlalchemy import REAL, Column, Index, Integer, MetaData, Table, Text

#: Width of a rollup bucket, seconds.
ROLLUP_SECONDS = 300

metadata = MetaData()

readings = Table(
    "sensor_readings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("acp_id", Text, nullable=False),
    Column("acp_ts", REAL, nullable=False),
    Column("received_ts", REAL, nullable=False),
    Column("registered", Integer, nullable=False),
    Column("payload", Text, nullable=False),  # JSON object key -> number
    Column("meta", Text),  # JSON {gateway, data_connector}
    Index("ix_sensor_readings_device_time", "acp_id", "acp_ts"),
    Index("ix_sensor_readings_time", "acp_ts"),
)

rollup = Table(
    "sensor_rollup",
    metadata,
    Column("acp_id", Text, primary_key=True),
    Column("bucket", Integer, primary_key=True),  # UNIX seconds, multiple of ROLLUP_SECONDS
    Column("key", Text, primary_key=True),
    Column("n", Integer, nullable=False),
    Column("sum", REAL, nullable=False),
    Column("min", REAL, nullable=False),
    Column("max", REAL, nullable=False),
    Index("ix_sensor_rollup_bucket", "bucket"),
)

latest = Table(
    "sensor_latest",
    metadata,
    Column("acp_id", Text, primary_key=True),
    Column("acp_ts", REAL, nullable=False),
    Column("received_ts", REAL, nullable=False),
    Column("registered", Integer, nullable=False),
    Column("payload", Text, nullable=False),
    Column("first_seen", REAL, nullable=False),
    Column("count", Integer, nullable=False),
)

alerts = Table(
    "sensor_alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("acp_id", Text, nullable=False),
    Column("kind", Text, nullable=False),  # threshold | stale
    Column("key", Text, nullable=False),  # payload key ('' for stale)
    Column("message", Text, nullable=False),
    Column("value", REAL),
    Column("min", REAL),
    Column("max", REAL),
    Column("raised_ts", REAL, nullable=False),
    Column("cleared_ts", REAL),
    Index("ix_sensor_alerts_device", "acp_id", "raised_ts"),
    Index("ix_sensor_alerts_open", "cleared_ts"),
)
