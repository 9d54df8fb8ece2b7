"""Health checks of the product's services, as used by the Docker image and Compose bundle.

``python -m hospital_twin.services.healthcheck SERVICE`` exits 0 when SERVICE (``api``,
``sensors``, ``dashboards``, ``lab`` or ``worker``) answers on this host, 1 with a one-line
reason otherwise. Addresses, ports, tokens and the queue come from the same
``HOSPITAL_TWIN_*`` settings the service itself reads, so the check needs no arguments of its
own and works the same inside a container and natively.
"""

from __future__ import annotations

import json
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Callable

from hospital_twin.settings import Settings, get_settings

TIMEOUT = 5.0
_WILDCARD = {"", "0.0.0.0", "::", "[::]"}


class Unhealthy(RuntimeError):
    """The service did not answer as expected; the message says how."""


def probe_host(bind: str) -> str:
    """The address to probe a server bound to ``bind`` (loopback for a wildcard bind)."""
    return "127.0.0.1" if bind in _WILDCARD else bind


def _get(url: str, headers: dict[str, str] | None = None) -> bytes:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as reply:
            if reply.status != 200:
                raise Unhealthy(f"{url} answered {reply.status}")
            return reply.read()
    except (urllib.error.URLError, OSError) as exc:
        raise Unhealthy(f"{url}: {exc}") from exc


def check_api(settings: Settings) -> str:
    """The REST API answers ``GET /``."""
    url = f"http://{probe_host(settings.api_host)}:{settings.api_port}/"
    _get(url)
    return f"api answers at {url}"


def check_sensors(settings: Settings) -> str:
    """The sensor service answers ``GET /`` with status ok."""
    url = f"http://{probe_host(settings.sensors_host)}:{settings.sensors_port}/"
    body = json.loads(_get(url))
    if body.get("status") != "ok":
        raise Unhealthy(f"{url} reports {body}")
    return f"sensors answer at {url} (MQTT connected: {body.get('mqtt_connected')})"


def check_dashboards(settings: Settings) -> str:
    """Voilà answers its home page (``GET /``; rendering a dashboard would start a kernel)."""
    url = f"http://{probe_host(settings.dashboards_host)}:{settings.dashboards_port}/"
    page = _get(url).decode("utf-8", "replace")
    if "Voil" not in page:
        raise Unhealthy(f"{url} is not Voilà's home page")
    return f"dashboards answer at {url}"


def check_lab(settings: Settings) -> str:
    """JupyterLab answers ``/api`` (and ``/api/status`` with the token, when one is set)."""
    base = f"http://{probe_host(settings.lab_host)}:{settings.lab_port}/api"
    json.loads(_get(base))
    if settings.lab_token:
        json.loads(_get(base + "/status", {"Authorization": f"token {settings.lab_token}"}))
    return f"JupyterLab answers at {base}"


def check_worker(settings: Settings) -> str:
    """An RQ worker of this host (container) is registered on the scenario queue."""
    from rq import Worker
    from rq.serializers import JSONSerializer

    from hospital_twin.jobs.queue import connect

    host = socket.gethostname()
    try:
        workers = Worker.all(connection=connect(settings.redis_url), serializer=JSONSerializer)
    except Exception as exc:  # noqa: BLE001 - any Redis failure means unhealthy
        raise Unhealthy(f"Redis at {settings.redis_url}: {exc}") from exc
    mine = [w for w in workers
            if w.hostname == host and settings.queue_name in w.queue_names()]
    if not mine:
        raise Unhealthy(f"no worker of host {host} listens on queue {settings.queue_name!r}")
    return f"{len(mine)} worker(s) of {host} on queue {settings.queue_name!r}"


CHECKS: dict[str, Callable[[Settings], str]] = {
    "api": check_api,
    "sensors": check_sensors,
    "dashboards": check_dashboards,
    "lab": check_lab,
    "worker": check_worker,
}


def main(argv: list[str] | None = None) -> int:
    """Run one check; print what was found; 0 if healthy, 1 if not, 2 on a usage error."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in CHECKS:
        print(f"usage: python -m hospital_twin.services.healthcheck {{{','.join(CHECKS)}}}",
              file=sys.stderr)
        return 2
    try:
        print(CHECKS[args[0]](get_settings()))
    except Unhealthy as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
