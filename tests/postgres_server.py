"""A throwaway PostgreSQL server for tests: `initdb` and `pg_ctl` in a temporary folder, on a free local port.

PostgreSQL refuses to run as root, so when the tests run as root the server runs as the `postgres` system user
(or `nobody`), which then owns the folder. Each test gets its own database on the one server (`new_database`).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from glob import glob
from pathlib import Path

SERVER_USER_CANDIDATES = ("postgres", "nobody")


def find_binaries() -> Path | None:
    """The folder holding `initdb`, `pg_ctl` and `postgres`: on the PATH, or Debian's /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    for folder in sorted(glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in SERVER_USER_CANDIDATES:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root, but there is no 'postgres' or 'nobody' user to run PostgreSQL as")


def _as_user(user: pwd.struct_passwd | None) -> Callable[[], None] | None:
    if user is None:
        return None

    def switch() -> None:
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)

    return switch


@dataclass
class PostgresServer:
    binaries: Path
    folder: Path
    port: int
    user: pwd.struct_passwd | None
    _databases: int = 0

    @classmethod
    def start(cls, binaries: Path) -> PostgresServer:
        folder = Path(tempfile.mkdtemp(prefix="archive-pg-"))
        user = _server_user()
        if user is not None:
            os.chown(folder, user.pw_uid, user.pw_gid)
        server = cls(binaries, folder, _free_port(), user)
        server._run("initdb", "-D", str(folder / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        options = f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        server._run("pg_ctl", "-D", str(folder / "data"), "-o", options, "-l", str(folder / "log"), "-w", "start")
        return server

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [str(self.binaries / program), *args],
            check=True,
            capture_output=True,
            preexec_fn=_as_user(self.user),  # noqa: PLW1509  (only the child switches user)
            cwd=self.folder,
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        import psycopg

        self._databases += 1
        name = f"archive_test_{self._databases}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
