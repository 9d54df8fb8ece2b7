"""Run a private PostgreSQL server from the system binaries, in a temporary directory.

Used by the tests (the store suite runs on SQLite and on PostgreSQL) and available to
anything else that needs a throw-away server::

    with PostgresServer() as pg:
        url = pg.create_database("scenarios")  # postgresql+psycopg://…:<port>/scenarios
        ...
        pg.drop_database("scenarios")

The cluster is made with ``initdb`` (trust authentication, superuser ``postgres``) and the
server listens on a free port of 127.0.0.1 and on a Unix socket in the same temporary
directory; it is tuned for tests (no fsync) and deleted on exit. PostgreSQL refuses to run as
root, so when this process is root the server runs as the ``postgres`` system user (or
``nobody``), which then owns the directory.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import make_url

from hospital_twin.services.local_server import LocalServer
from hospital_twin.services.ports import free_port, wait_for_port  # noqa: F401 (re-exported)

INSTALL_HINT = (
    "the PostgreSQL server programs (`initdb`, `postgres`) are not installed (looked on PATH "
    "and in /usr/lib/postgresql/*/bin). Install them with `apt-get install -y postgresql` "
    "(Debian/Ubuntu), or set HOSPITAL_TWIN_TEST_POSTGRES_URL to a running server's "
    "postgresql:// URL (a role allowed to CREATE DATABASE)."
)
#: Users the server may run as when this process is root, in order of preference.
UNPRIVILEGED_USERS = ("postgres", "nobody")
SUPERUSER = "postgres"


class PostgresServerError(RuntimeError):
    """PostgreSQL is missing or did not start; the message says what to do."""


def _version_key(bin_dir: str) -> tuple[int, ...]:
    version = Path(bin_dir).parent.name
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def find_postgres_bin() -> Path:
    """The directory holding ``initdb`` and ``postgres`` (newest Debian version first).

    Raises :class:`PostgresServerError` with an install hint when there is none.
    """
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.insert(0, str(Path(on_path).parent))
    for bin_dir in candidates:
        if all(os.access(Path(bin_dir) / name, os.X_OK) for name in ("initdb", "postgres")):
            return Path(bin_dir)
    raise PostgresServerError(INSTALL_HINT)


def _run_as() -> pwd.struct_passwd | None:
    """The unprivileged user to run the server as when we are root (else None: ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in UNPRIVILEGED_USERS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresServerError(
        "running as root and there is no `postgres` or `nobody` user to run PostgreSQL as"
    )


class PostgresServer(LocalServer):
    """A PostgreSQL server on ``host:port`` (a free port unless given); ``stop()`` ends it
    (SIGINT: fast shutdown, open sessions are ended)."""

    folder_prefix = "ht-postgres-"
    stop_signal = signal.SIGINT
    stop_timeout = 15.0

    def __init__(self, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.bin_dir = find_postgres_bin()
        super().__init__(port, host)
        self.user = _run_as()
        self.data = self.dir / "data"
        self.socket_dir = self.dir / "socket"
        self.log = self.dir / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL (psycopg 3 driver, superuser over TCP) of ``database``."""
        return f"postgresql+psycopg://{SUPERUSER}@{self.host}:{self.port}/{database}"

    @property
    def conninfo(self) -> str:
        """psycopg connection string of the ``postgres`` maintenance database."""
        return f"host={self.host} port={self.port} user={SUPERUSER} dbname=postgres"

    def _popen_kwargs(self) -> dict:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C"}
        if self.user is None:
            return {"env": env}
        return {"env": env | {"HOME": str(self.dir)}, "user": self.user.pw_uid,
                "group": self.user.pw_gid, "extra_groups": []}

    def _initdb(self) -> None:
        self.socket_dir.mkdir()
        if self.user is not None:
            for path in (self.dir, self.socket_dir):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        result = subprocess.run(
            [str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
             "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"],
            capture_output=True, text=True, timeout=120, cwd=self.dir, **self._popen_kwargs(),
        )
        if result.returncode != 0:
            raise PostgresServerError(f"initdb failed: {result.stderr or result.stdout}")

    def _answers(self) -> bool:
        try:
            with psycopg.connect(self.conninfo, connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def start(self, timeout: float = 30.0) -> PostgresServer:
        """Create the cluster, start ``postgres`` (a child process) and wait until it answers."""
        try:
            self._initdb()
            log = open(self.log, "wb")  # noqa: SIM115 (the child keeps writing to it)
            self.process = subprocess.Popen(
                [str(self.bin_dir / "postgres"), "-D", str(self.data),
                 "-h", self.host, "-p", str(self.port), "-k", str(self.socket_dir),
                 "-c", "fsync=off", "-c", "synchronous_commit=off",
                 "-c", "full_page_writes=off", "-c", "max_connections=200"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.dir,
                **self._popen_kwargs(),
            )
            log.close()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.process.poll() is None:
                if self._answers():
                    return self
                time.sleep(0.1)
        except BaseException:
            self.stop()
            raise
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        self.stop()
        raise PostgresServerError(f"postgres did not answer on port {self.port}: {text}")

    def create_database(self, name: str) -> str:
        """Create an empty database ``name``; returns its URL."""
        return create_database(self.url(), name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` (closing its connections)."""
        drop_database(self.url(), name)


def _admin_conninfo(url: str) -> str:
    """psycopg connection string of the server behind the SQLAlchemy/libpq ``url``."""
    parsed = make_url(url)
    parts = {"host": parsed.host, "port": parsed.port, "user": parsed.username,
             "password": parsed.password, "dbname": parsed.database or "postgres"}
    return make_conninfo(
        **{k: str(v) for k, v in parts.items() if v is not None}, **parsed.query)


def create_database(admin_url: str, name: str) -> str:
    """``CREATE DATABASE name`` on the server of ``admin_url``; returns the new DB's URL."""
    with psycopg.connect(_admin_conninfo(admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(admin_url).set(database=name)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    """``DROP DATABASE IF EXISTS name WITH (FORCE)`` on the server of ``admin_url``."""
    with psycopg.connect(_admin_conninfo(admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                     .format(sql.Identifier(name)))
