"""``hospital-twin api``: serve the REST backend with uvicorn (never in debug mode)."""

from __future__ import annotations

import click

from hospital_twin.settings import get_settings


@click.command("api")
@click.option("--host", help="Address to bind (default HOSPITAL_TWIN_API_HOST, 127.0.0.1).")
@click.option("--port", type=int, help="Port (default HOSPITAL_TWIN_API_PORT, 5000).")
def api(host: str | None, port: int | None) -> None:
    """Serve the simulation REST API (the seed backend's endpoints, docs at /docs)."""
    import uvicorn

    from hospital_twin.api import create_app

    settings = get_settings()
    uvicorn.run(create_app(settings), host=host or settings.api_host,
                port=port or settings.api_port, log_level="info", proxy_headers=False,
                access_log=settings.access_log)
