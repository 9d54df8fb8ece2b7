"""``hospital-twin dashboards``: serve the ``dashboards/`` notebooks with Voilà.

Voilà binds 127.0.0.1 (or ``HOSPITAL_TWIN_DASHBOARDS_HOST``), culls idle kernels (it leaks
one per closed tab otherwise) and its kernels inherit the ``HOSPITAL_TWIN_*`` settings, with
the data folder made absolute so the dashboards use the same store and queue as the API and
the workers.

Voilà keeps ``--pool-size`` kernels per dashboard pre-heated (``HOSPITAL_TWIN_DASHBOARDS_POOL``,
default 1): each has already started and run its notebook, so a visitor gets a drawn page
without waiting for a kernel to boot and import the package; the pool refills after each
visit. ``0`` starts a kernel per request instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from hospital_twin.resources import dashboards_dir
from hospital_twin.settings import get_settings

DEFAULT_PORT = 8866


def default_dashboards_dir() -> Path:
    """The checkout's ``dashboards/`` folder, or the copy installed with the package."""
    return dashboards_dir()


def voila_argv(folder: Path, port: int, *, cull_idle_seconds: int = 600,
               host: str = "127.0.0.1", pool_size: int = 1) -> list[str]:
    """The Voilà command line serving ``folder`` on ``host``:``port``."""
    preheat = ["--preheat_kernel=True", f"--pool_size={pool_size}",
               "--VoilaKernelManager.fill_delay=3"] if pool_size > 0 else []
    return [
        sys.executable, "-m", "voila", str(folder),
        f"--port={port}", "--no-browser", f"--Voila.ip={host}",
        "--MappingKernelManager.cull_interval=30",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle_seconds}",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.extension_denylist=jupyterlab-plotly",
        "--VoilaConfiguration.extension_denylist=jupyterlab_pygments",
        *preheat,
    ]


def dashboard_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for Voilà: settings with absolute data and database paths."""
    env = dict(os.environ if base is None else base)
    settings = get_settings()
    env["HOSPITAL_TWIN_VAR_DIR"] = str(settings.var_dir.resolve())
    env["HOSPITAL_TWIN_DB"] = settings.db_url
    if settings.notebook:
        env["HOSPITAL_TWIN_NOTEBOOK"] = str(Path(settings.notebook).resolve())
    return env


@click.command("dashboards")
@click.option("--host", default=None,
              help="Address to bind (default HOSPITAL_TWIN_DASHBOARDS_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help=f"Port (default HOSPITAL_TWIN_DASHBOARDS_PORT, {DEFAULT_PORT}).")
@click.option("--dir", "folder", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Folder of dashboard notebooks (default: dashboards/).")
@click.option("--cull-idle", type=click.IntRange(30), default=600, show_default=True,
              help="Seconds before an idle dashboard kernel is stopped.")
@click.option("--pool-size", type=click.IntRange(0), default=None,
              help="Pre-heated kernels per dashboard (default HOSPITAL_TWIN_DASHBOARDS_POOL, "
                   "1; 0: start a kernel per visit).")
def dashboards(host: str | None, port: int | None, folder: Path | None, cull_idle: int,
               pool_size: int | None) -> None:
    """Serve the dashboards with Voilà (open /voila/render/histopathology.ipynb)."""
    settings = get_settings()
    host = host or settings.dashboards_host
    port = port or settings.dashboards_port
    folder = (folder or default_dashboards_dir()).resolve()
    if not folder.is_dir():
        raise click.ClickException(f"dashboards folder not found: {folder}")
    click.echo(f"dashboards: http://{host}:{port}/voila/render/histopathology.ipynb")
    sys.stdout.flush()
    pool = settings.dashboards_pool if pool_size is None else pool_size
    argv = voila_argv(folder, port, cull_idle_seconds=cull_idle, host=host, pool_size=pool)
    os.execve(argv[0], argv, dashboard_env())
