"""A PostgreSQL cluster of its own (initdb in a folder, a port of its own): the one of
the production shape on one machine (deploy/shape.py), and the throwaway one of the
tests that stop and restart the database (the machine's cluster is never touched).
Raises ``ClusterUnavailable`` where PostgreSQL's server programs are not installed."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class ClusterUnavailable(RuntimeError):
    """initdb/pg_ctl are missing, or root without a ``postgres`` account to run them."""


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """``Cluster().start()`` … ``.stop()`` … ``.start()`` … ``.destroy()``; ``url(db)``.

    ``folder`` (a new temp folder by default) holds the data, the socket and
    ``server.log``; an existing initialised folder is reused as it is. ``port``: a
    free one by default. Trust authentication, listening on 127.0.0.1 only.
    """

    def __init__(self, port: int | None = None, folder: Path | None = None):
        if not (_bin("initdb") and _bin("pg_ctl")):
            raise ClusterUnavailable("PostgreSQL server programs (initdb, pg_ctl) are not installed")
        self.port = port or free_port()
        self.folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.folder.mkdir(parents=True, exist_ok=True)
        self.data = self.folder / "data"
        # initdb refuses to run as root: run the server programs as ``postgres`` then.
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise ClusterUnavailable("root without a postgres account for initdb") from exc
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        if not (self.data / "PG_VERSION").exists():
            self._run(_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                      "--no-sync", "-E", "UTF8", "--locale", "C")  # fmt: skip

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> "Cluster":
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=100"
        )
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.folder / "server.log"), "-w", "-t", "60", "start")  # fmt: skip
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, mode: str = "fast") -> None:
        """Stop (``mode`` fast: every connection is cut) and start again."""
        self.stop(mode)
        self.start()

    def is_running(self) -> bool:
        result = subprocess.run(
            [*self.as_user, _bin("pg_ctl"), "-D", str(self.data), "status"], capture_output=True
        )
        return result.returncode == 0

    def create_database(self, name: str) -> str:
        deadline = time.monotonic() + 30
        while True:
            result = subprocess.run(
                ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                 "-qc", f"CREATE DATABASE {name}"],
                capture_output=True, text=True,
            )  # fmt: skip
            if result.returncode == 0:
                return self.url(name)
            if time.monotonic() > deadline:
                raise RuntimeError(result.stderr)
            time.sleep(0.5)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.folder, ignore_errors=True)
