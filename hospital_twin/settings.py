"""One settings object for every service, read from ``HOSPITAL_TWIN_*`` variables.

The API, the workers, the dashboards and the command line all call
:func:`get_settings`, so one environment configures the whole product.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from hospital_twin.resources import notebooks_dir


class Settings(BaseSettings):
    """Deployment settings; each field is the variable ``HOSPITAL_TWIN_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="HOSPITAL_TWIN_", extra="ignore")

    var_dir: Path = Field(
        Path("var"), description="where the database, results and reports live"
    )
    db: str = Field(
        "",
        description="SQLite database path (default <var_dir>/hospital_twin.db) or a "
        "postgresql://user:password@host:port/dbname URL (a shared PostgreSQL database)",
    )
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="RQ queue's Redis")
    # Jobs and REST backend (issue #5)
    queue_name: str = Field("hospital-twin", description="RQ queue of scenario jobs")
    job_timeout: int = Field(3600, description="seconds before a scenario job is failed")
    result_ttl: int = Field(86400, description="seconds RQ keeps a finished job's result")
    notebook: str = Field("", description="scenario notebook (default notebooks/scenario.ipynb)")
    sweep_interval: float = Field(60.0, description="seconds between abandoned-job sweeps")
    max_scenario_specimens: int = Field(
        10_000_000, gt=0, description="a scenario expected to simulate more specimens than "
        "this (arrivals × run length × replications) is refused before it is queued"
    )
    job_memory_mb: int = Field(
        4096, ge=0, description="address-space limit of every job process (MB); a job "
        "over it fails with 'job exceeded its memory limit' (0: no limit)"
    )
    fanout_reps: int = Field(
        10, description="scenarios with this many replications or more run as one job per "
        "replication on any worker (0: never)"
    )
    api_host: str = Field("127.0.0.1", description="address `hospital-twin api` binds")
    api_port: int = Field(5000, description="port of `hospital-twin api`")
    api_cors_origins: list[str] = Field(
        ["http://localhost:3000", "http://127.0.0.1:3000"],
        description="browser origins allowed to call the REST backend (JSON list)",
    )
    api_token: str = Field("", description="bearer token required on write endpoints if set")
    access_log: bool = Field(
        False, description="log one line per HTTP request in the API and the sensor service "
        "(off: dashboards and clients poll every second)"
    )
    report_configs_dir: str = Field(
        "", description="the only folder whose files `POST /reports` may name in config_path "
        "(default <var_dir>/configs)"
    )
    lab_token: str = Field(
        "", description="token of `hospital-twin lab` (empty: a random one is printed)"
    )
    lab_host: str = Field("127.0.0.1", description="address `hospital-twin lab` binds")
    lab_port: int = Field(8888, description="port of `hospital-twin lab`")
    dashboards_host: str = Field(
        "127.0.0.1", description="address `hospital-twin dashboards` (Voilà) binds"
    )
    dashboards_port: int = Field(8866, description="port of `hospital-twin dashboards`")
    dashboards_pool: int = Field(
        1, ge=0, description="kernels Voilà keeps pre-heated per dashboard (0: start on request)"
    )
    allow_reset: bool = Field(False, description="allow `DELETE /` to empty the database")
    max_upload_bytes: int = Field(10_000_000, description="larger request bodies get 413")
    max_workbook_unpacked_bytes: int = Field(
        25_000_000, gt=0, description="a workbook whose parts unpack to more than this in "
        "total is refused before it is parsed (decompression bombs)"
    )
    max_workbook_part_bytes: int = Field(
        10_000_000, gt=0, description="a workbook with one part (sheet, shared strings …) "
        "unpacking to more than this is refused before it is parsed"
    )
    # Sensor service (issue #7)
    mqtt_host: str = Field("127.0.0.1", description="MQTT broker the sensor service reads")
    mqtt_port: int = Field(1883, description="MQTT broker port")
    mqtt_topics: list[str] = Field(
        ["sensors/+", "v3/+/devices/+/up"],
        description="MQTT subscriptions (JSON list); v3/…/up topics are TTN uplinks",
    )
    sensors_host: str = Field(
        "127.0.0.1", description="address `hospital-twin sensors serve` binds"
    )
    sensors_port: int = Field(8000, description="port of `hospital-twin sensors serve`")
    sensors_url: str = Field(
        "http://127.0.0.1:8000", description="sensor service URL used by the dashboard"
    )
    sensors_db: str = Field(
        "", description="SQLite file of the sensor readings (default: the main database if it "
        "is SQLite, else <var_dir>/sensors.db)"
    )
    sensors_registry: str = Field(
        "", description="device registry YAML/JSON (default: the bundled lab registry)"
    )
    sensors_cors_origins: list[str] = Field(
        ["http://localhost:3000", "http://127.0.0.1:3000"],
        description="browser origins allowed to call the sensor service (JSON list)",
    )
    sensors_stale_seconds: float = Field(
        900.0, description="a device with no reading for this long is stale"
    )
    sensors_raw_retention_days: float = Field(
        14.0, description="raw readings older than this are deleted"
    )
    sensors_rollup_retention_days: float = Field(
        730.0, description="5-minute aggregates older than this are deleted"
    )
    sensors_max_message_bytes: int = Field(
        65536, description="larger MQTT/HTTP readings are rejected as malformed"
    )

    @property
    def db_path(self) -> Path:
        """The SQLite database file (meaningless when ``db`` is a PostgreSQL URL)."""
        return Path(self.db) if self.db else self.var_dir / "hospital_twin.db"

    @property
    def db_url(self) -> str:
        """The database as the store opens it: ``db`` if it is a URL, else the SQLite
        file's absolute path."""
        return self.db if "://" in self.db else str(self.db_path.resolve())

    @property
    def sensors_db_path(self) -> Path:
        """The sensor service's SQLite file (its tables are SQLite-only for now)."""
        if self.sensors_db:
            return Path(self.sensors_db)
        return self.var_dir / "sensors.db" if "://" in self.db else self.db_path

    @property
    def results_dir(self) -> Path:
        return self.var_dir / "results"

    @property
    def reports_dir(self) -> Path:
        """Where executed scenario notebooks (ipynb + HTML) are kept."""
        return self.var_dir / "reports"

    @property
    def report_configs_path(self) -> Path:
        """Folder of the workbooks the API may report on by path (nothing else is read)."""
        return Path(self.report_configs_dir) if self.report_configs_dir else (
            self.var_dir / "configs")

    @property
    def notebook_path(self) -> Path:
        """The parameterised scenario notebook run by the workers."""
        if self.notebook:
            return Path(self.notebook)
        return notebooks_dir() / "scenario.ipynb"


def get_settings() -> Settings:
    """The current settings (read afresh, so tests can change the environment)."""
    return Settings()
