"""Settings come from HOSPITAL_TWIN_* environment variables."""

from pathlib import Path

from hospital_twin.settings import get_settings


def test_defaults_put_the_database_under_var(monkeypatch):
    monkeypatch.delenv("HOSPITAL_TWIN_DB", raising=False)
    monkeypatch.delenv("HOSPITAL_TWIN_VAR_DIR", raising=False)
    settings = get_settings()
    assert settings.db_path == Path("var/hospital_twin.db")
    assert settings.redis_url == "redis://127.0.0.1:6379/0"


def test_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("HOSPITAL_TWIN_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("HOSPITAL_TWIN_REDIS_URL", "redis://127.0.0.1:7000/1")
    settings = get_settings()
    assert settings.db_path == tmp_path / "hospital_twin.db"
    assert settings.redis_url == "redis://127.0.0.1:7000/1"
    monkeypatch.setenv("HOSPITAL_TWIN_DB", str(tmp_path / "other.db"))
    assert get_settings().db_path == tmp_path / "other.db"


def test_sensor_readings_stay_in_sqlite_when_the_store_is_postgresql(monkeypatch, tmp_path):
    monkeypatch.setenv("HOSPITAL_TWIN_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("HOSPITAL_TWIN_SENSORS_DB", raising=False)
    monkeypatch.delenv("HOSPITAL_TWIN_DB", raising=False)
    assert get_settings().sensors_db_path == tmp_path / "hospital_twin.db"  # shared file
    monkeypatch.setenv("HOSPITAL_TWIN_DB", "postgresql://twin@db.example/twin")
    assert get_settings().sensors_db_path == tmp_path / "sensors.db"
    monkeypatch.setenv("HOSPITAL_TWIN_SENSORS_DB", str(tmp_path / "readings.db"))
    assert get_settings().sensors_db_path == tmp_path / "readings.db"
