"""Fuzzing a live service through its OpenAPI schema: hand-picked hostile values in every
path parameter, query parameter, JSON body field and form field, collecting every reply
that is a server error (5xx) or a non-JSON client error. Shared by the API and sensor tests
(imported as ``schema_fuzz``); schemathesis adds generated requests on top."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings

#: Values that broke the services before: integers beyond 64 bits, NUL bytes, huge and odd
#: numbers, long strings, wrong JSON types.
HOSTILE: tuple[Any, ...] = (
    2**64, 2**63, -(2**63) - 1, 10**40, "9" * 40, "a\x00b", "\x00", "%00", "x" * 5000,
    "1e999", "NaN", "-1", 0, -1, 1.5, "", None, True, [], {}, "../../etc/passwd",
)


@dataclass
class Request:
    """One request to send: method, path (parameters filled in), query, JSON or form."""

    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    data: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None

    def send(self, client: httpx.Client) -> httpx.Response:
        kwargs: dict[str, Any] = {"params": self.params}
        if self.json is not None:
            kwargs["json"] = self.json
        if self.data is not None or self.files is not None:
            kwargs |= {"data": self.data, "files": self.files}
        return client.request(self.method, self.path, **kwargs)


def _fill(path: str, names: list[str], values: dict[str, str]) -> str:
    for name in names:
        path = path.replace("{" + name + "}", quote(values.get(name, "1"), safe=""))
    return path


def hostile_requests(schema: dict, form_files: dict[str, tuple[str, bytes, str]]
                     ) -> Iterator[Request]:
    """Every operation with each hostile value in each of its inputs, one input at a time;
    a multipart operation gets valid ``form_files`` so its fields are what is tested."""
    for path, item in schema["paths"].items():
        for method, op in item.items():
            params = op.get("parameters", [])
            in_path = [p["name"] for p in params if p["in"] == "path"]
            in_query = [p["name"] for p in params if p["in"] == "query"]
            content = op.get("requestBody", {}).get("content", {})
            for value in HOSTILE:
                text = str(value)
                for name in in_path:
                    yield Request(method.upper(), _fill(path, in_path, {name: text}))
                for name in in_query:
                    yield Request(method.upper(), _fill(path, in_path, {}), {name: text})
                base = _fill(path, in_path, {})
                if "application/json" in content:
                    body = _resolve(schema, content["application/json"]["schema"])
                    for name in body.get("properties", {}):
                        yield Request(method.upper(), base, json={name: value})
                    yield Request(method.upper(), base, json=value)
                if "multipart/form-data" in content:
                    form = content["multipart/form-data"]["schema"]
                    for name, prop in form["properties"].items():
                        if prop.get("format") == "binary" or prop.get("type") == "array":
                            continue
                        data = {"sim_hours": "1", "num_reps": "1", name: text}
                        yield Request(method.upper(), base, data=data, files=form_files)


def _resolve(schema: dict, node: dict) -> dict:
    ref = node.get("$ref")
    if not ref:
        return node
    target: Any = schema
    for part in ref.lstrip("#/").split("/"):
        target = target[part]
    return target


def server_errors(client: httpx.Client, requests: Iterator[Request]) -> tuple[int, list[str]]:
    """Send every request; the count sent and a line per 5xx or non-JSON 4xx reply."""
    sent, bad = 0, []
    for request in requests:
        reply = request.send(client)
        sent += 1
        json_reply = reply.headers.get("content-type", "").startswith("application/json")
        if reply.status_code >= 500 or (reply.status_code >= 400 and not json_reply):
            bad.append(f"{request.method} {request.path} {request.params or ''} "
                       f"{request.json!r:.60} {request.data!r:.80} -> {reply.status_code} "
                       f"{reply.text[:160]}")
    return sent, bad


def generated_server_errors(base_url: str, max_examples: int) -> tuple[int, list[str]]:
    """schemathesis: ``max_examples`` generated requests per operation of the live schema
    (hypothesis, no example database); the count sent and a line per 5xx reply."""
    schema = schemathesis.openapi.from_url(base_url + "/openapi.json")
    sent, bad = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=max_examples, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def call(case) -> None:
            nonlocal sent
            reply = case.call(base_url=base_url, timeout=30)
            sent += 1
            if reply.status_code >= 500:
                bad.append(f"{case.method} {case.formatted_path} {case.query!r:.80} "
                           f"{case.body!r:.80} -> {reply.status_code} {reply.text[:160]}")

        call()
    return sent, bad
