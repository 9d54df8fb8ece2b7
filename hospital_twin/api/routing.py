"""Register every path with and without a trailing slash (no redirects: a 307 breaks CORS
preflights of the existing client)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter


def both(router: APIRouter, path: str, methods: list[str], **kwargs: Any) -> Callable:
    """Decorator adding ``path`` and its slash twin (the twin hidden from the docs)."""

    def decorate(endpoint: Callable) -> Callable:
        router.add_api_route(path, endpoint, methods=methods, **kwargs)
        if path != "/":
            twin = path[:-1] if path.endswith("/") else path + "/"
            router.add_api_route(twin, endpoint, methods=methods, include_in_schema=False,
                                 **kwargs)
        return endpoint

    return decorate
