"""What every endpoint shares: settings, database engine, Redis client, job options, auth."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import Request
from redis import Redis
from sqlalchemy import Engine

from hospital_twin.api.errors import ApiError
from hospital_twin.jobs.options import JobOptions
from hospital_twin.settings import Settings
from hospital_twin.store.ids import storable_id


@dataclass
class Services:
    """The application's long-lived parts (``app.state.services``)."""

    settings: Settings
    engine: Engine
    redis: Redis
    options: JobOptions


def services(request: Request) -> Services:
    """The running application's services."""
    return request.app.state.services


def require_token(request: Request) -> None:
    """Write endpoints need ``Authorization: Bearer <token>`` when a token is configured."""
    token = services(request).settings.api_token
    if not token:
        return
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip(), token):
        raise ApiError(401, "this endpoint needs the header 'Authorization: Bearer <token>'")


def parse_id(value: str, what: str) -> int:
    """A path id as an int, or a 404 naming it (also for ids no row can have, beyond 64
    bits or with stray characters)."""
    try:
        number = int(value)
    except ValueError:
        number = None
    if not storable_id(number):
        raise ApiError(404, f"unknown {what} {value[:40]!r}")
    return number
