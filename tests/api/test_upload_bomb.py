"""A decompression bomb (an .xlsx under the upload limit whose shared strings unpack to
~150 MB) is refused with 413 naming the limit, within a second, and the API process's
memory barely moves (measured from /proc)."""

from __future__ import annotations

import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from api_helpers import HOSPITAL_TWIN, Live, upload
from twin_helpers import REFERENCE_WORKBOOK

BOMB_BYTES = 150_000_000
FIELDS = {"sim_hours": "24", "num_reps": "1"}


def write_bomb(path: Path, unpacked: int = BOMB_BYTES) -> Path:
    """The reference workbook with its shared strings replaced by ``unpacked`` bytes of
    valid, highly compressible XML (streamed: the test never holds it in memory)."""
    row = b"<si><t>" + b"A" * 1000 + b"</t></si>"
    with zipfile.ZipFile(REFERENCE_WORKBOOK) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for item in src.infolist():
            if item.filename != "xl/sharedStrings.xml":
                out.writestr(item, src.read(item.filename))
        with out.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                       b'spreadsheetml/2006/main">')
            chunk = row * 1000
            for _ in range(-(-unpacked // len(chunk))):
                part.write(chunk)
            part.write(b"</sst>")
    return path


def _proc_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return write_bomb(tmp_path_factory.mktemp("bomb") / "bomb.xlsx")


@pytest.fixture(scope="module")
def fresh(redis_url, tmp_path_factory):
    """An API of its own, so its peak memory is this test's."""
    server = Live(redis_url, tmp_path_factory.mktemp("bomb-api"), worker=False)
    yield server
    server.close()


def test_bomb_is_small_but_unpacks_big(bomb):
    assert bomb.stat().st_size < 1_000_000
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo("xl/sharedStrings.xml").file_size >= BOMB_BYTES


def test_api_refuses_bomb_fast_and_lean(fresh, bomb):
    pid = fresh.procs[0].pid
    # warm the upload path once (imports, thread pool) with a small broken workbook
    warm = fresh.client.post("/scenarios", data=FIELDS,
                             files={"config": upload("x.xlsx", b"PK\x03\x04 not a zip")})
    assert warm.status_code == 400
    rss_before = _proc_kb(pid, "VmRSS")
    started = time.perf_counter()
    reply = fresh.client.post("/scenarios", data=FIELDS,
                              files={"config": upload("bomb.xlsx", bomb.read_bytes())})
    elapsed = time.perf_counter() - started
    growth_mb = (_proc_kb(pid, "VmHWM") - rss_before) / 1024
    print(f"bomb refused in {elapsed * 1000:.0f} ms, API peak memory growth {growth_mb:.1f} MB")
    assert reply.status_code == 413, reply.text
    text = reply.json()["description"]
    assert "xl/sharedStrings.xml unpacks to 150." in text
    assert "HOSPITAL_TWIN_MAX_WORKBOOK_PART_BYTES" in text and "refused before unpacking" in text
    assert elapsed < 1.0
    assert growth_mb < 50
    assert fresh.client.get("/scenarios").json() == []  # nothing stored


def test_total_limit_is_a_setting(redis_url, tmp_path_factory, bomb):
    small = write_bomb(tmp_path_factory.mktemp("small") / "small.xlsx", unpacked=3_000_000)
    server = Live(redis_url, tmp_path_factory.mktemp("tight"), worker=False,
                  HOSPITAL_TWIN_MAX_WORKBOOK_UNPACKED_BYTES="2000000")
    try:
        reply = server.client.post("/scenarios", data=FIELDS,
                                   files={"config": upload("small.xlsx", small.read_bytes())})
    finally:
        server.close()
    assert reply.status_code == 413
    assert "more than the 2 MB allowed in total" in reply.json()["description"]
    assert "HOSPITAL_TWIN_MAX_WORKBOOK_UNPACKED_BYTES" in reply.json()["description"]


def test_config_validate_refuses_bomb(bomb):
    done = subprocess.run([HOSPITAL_TWIN, "config", "validate", str(bomb)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert "xl/sharedStrings.xml unpacks to 150." in done.stderr
