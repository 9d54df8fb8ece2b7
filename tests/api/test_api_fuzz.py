"""No input gets a server error: every hostile value in every input of the REST API's
OpenAPI schema, then schemathesis-generated requests, answer 4xx JSON (never 5xx)."""

from __future__ import annotations

import httpx
import pytest
from api_helpers import Live, upload, workbook_bytes
from schema_fuzz import generated_server_errors, hostile_requests, server_errors


@pytest.fixture(scope="module")
def fuzzed(redis_url, tmp_path_factory):
    """An API with no worker (submissions stay queued), a real SQLite file and Redis."""
    server = Live(redis_url, tmp_path_factory.mktemp("fuzz"), worker=False)
    yield server
    server.close()


def test_hostile_values_get_client_errors(fuzzed):
    schema = fuzzed.client.get("/openapi.json").json()
    files = {"config": upload("cuh.xlsx", workbook_bytes())}
    sent, bad = server_errors(fuzzed.client, hostile_requests(schema, files))
    assert sent > 300
    assert bad == []
    # the cases of the report (issue 17): ids beyond 64 bits, a NUL byte in a path
    for path in ("/scenarios/99999999999999999999999/status",
                 "/multi/18446744073709551616/results"):
        reply = fuzzed.client.get(path)
        assert reply.status_code == 404 and "unknown" in reply.json()["description"]
    reply = fuzzed.client.post("/reports", json={"analysis_id": 2**64})
    assert reply.status_code == 400 and "analysis_id" in reply.json()["description"]
    reply = fuzzed.client.post("/reports", json={"config_path": "a\x00b.xlsx"})
    assert reply.status_code == 400 and "NUL byte" in reply.json()["description"]


def test_generated_requests_get_no_server_error(fuzzed):
    sent, bad = generated_server_errors(fuzzed.url, max_examples=15)
    assert sent >= 100
    assert bad == []


def test_hostile_values_store_nothing_half_written(fuzzed):
    """After all the fuzzing, every stored scenario is a whole, readable row."""
    rows = fuzzed.client.get("/scenarios").json()
    for row in rows:
        assert fuzzed.client.get(f"/scenarios/{row['scenario_id']}/status").status_code == 200
    assert httpx.get(fuzzed.url + "/").json()["status"] == "ok"
