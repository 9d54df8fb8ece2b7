"""``hospital-twin lab``: JupyterLab on the analyst notebooks, for this machine only.

It binds 127.0.0.1 (or ``HOSPITAL_TWIN_LAB_HOST``), requires a token
(``HOSPITAL_TWIN_LAB_TOKEN`` or a fresh random one, printed with the full URL) and replaces
this process with the Jupyter server, so Ctrl-C and signals reach the server directly.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click

from hospital_twin.resources import notebooks_dir
from hospital_twin.settings import get_settings

DEFAULT_PORT = 8888


def default_notebook_dir() -> Path:
    """The checkout's ``notebooks/`` folder, or the copy installed with the package."""
    return notebooks_dir()


def resolve_token(configured: str) -> tuple[str, bool]:
    """The configured token, or a new random one; the flag says whether it was generated."""
    if configured:
        return configured, False
    return secrets.token_urlsafe(24), True


def lab_argv(port: int, notebook_dir: Path, token: str, *, as_root: bool,
             host: str = "127.0.0.1") -> list[str]:
    """The JupyterLab command line: ``host`` (loopback by default), fixed port, token auth,
    no browser."""
    argv = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        f"--ServerApp.ip={host}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={notebook_dir}",
        f"--IdentityProvider.token={token}",
    ]
    if as_root:
        argv.append("--allow-root")
    return argv


@click.command("lab")
@click.option("--host", default=None,
              help="Address to bind (default HOSPITAL_TWIN_LAB_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help=f"Port (default HOSPITAL_TWIN_LAB_PORT, {DEFAULT_PORT}).")
@click.option("--notebook-dir", type=click.Path(path_type=Path, file_okay=False, exists=True),
              default=None,
              help="Folder to serve (default: the checkout's notebooks/, else the installed copy).")
def lab(host: str | None, port: int | None, notebook_dir: Path | None) -> None:
    """Start JupyterLab on the analyst notebooks (token from HOSPITAL_TWIN_LAB_TOKEN)."""
    settings = get_settings()
    host = host or settings.lab_host
    port = port or settings.lab_port
    folder = (notebook_dir or default_notebook_dir()).resolve()
    if not folder.is_dir():
        raise click.ClickException(f"notebook folder not found: {folder}")
    token, generated = resolve_token(settings.lab_token)
    note = " (generated; set HOSPITAL_TWIN_LAB_TOKEN to fix it)" if generated else ""
    click.echo(f"JupyterLab on {folder}")
    click.echo(f"open: http://{host}:{port}/lab?token={token}{note}", nl=True)
    sys.stdout.flush()
    argv = lab_argv(port, folder, token, as_root=os.geteuid() == 0, host=host)
    os.execv(argv[0], argv)
