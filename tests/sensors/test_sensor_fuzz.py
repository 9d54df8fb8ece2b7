"""No input gets a server error from the sensor service: hostile values in every input of
its OpenAPI schema, then schemathesis-generated requests (real service, broker, SQLite)."""

from __future__ import annotations

import httpx
from schema_fuzz import generated_server_errors, hostile_requests, server_errors


def test_hostile_values_get_client_errors(service):
    with httpx.Client(base_url=service.url, timeout=30) as client:
        schema = client.get("/openapi.json").json()
        sent, bad = server_errors(client, hostile_requests(schema, {}))
        assert sent > 200
        assert bad == []
        assert client.get("/").json()["status"] == "ok"


def test_generated_requests_get_no_server_error(service):
    sent, bad = generated_server_errors(service.url, max_examples=15)
    assert sent >= 100
    assert bad == []
