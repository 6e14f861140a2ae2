"""The production shape on one machine (deploy/shape.py) starts, and its two servers are
one portal: a session, an uploaded file and the cache are shared, the round-robin
spreads requests over both. Runs in the PostgreSQL pass of the suite (the shape brings
its own PostgreSQL cluster and Redis); needs redis-server and PostgreSQL's programs."""

import os
import random
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

from deploy import shape as shape_module
from deploy.pgcluster import ClusterUnavailable
from deploy.shape_check import run_checks
from tests.seaweed import weed_binary

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the production shape is exercised in the PostgreSQL pass of the suite",
)


def free_base_port() -> int:
    """A port P with P, P+1, P+2, P+11 and P+12 free."""
    for _ in range(50):
        base = random.randrange(20000, 30000)
        try:
            for offset in (0, 1, 2, 11, 12):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", base + offset))
        except OSError:
            continue
        return base
    raise RuntimeError("no free ports")


def test_two_servers_share_sessions_files_and_cache(capsys):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    # Not under pytest's tmp_path: its parent is private to root, and the cluster's
    # server runs as the postgres account.
    folder = Path(tempfile.mkdtemp(prefix="portal-shape-"))
    folder.chmod(0o755)
    try:
        shape = shape_module.start(
            folder, free_base_port(), demo=True, gunicorn_workers=2, s3=weed_binary() is not None
        )
    except ClusterUnavailable as exc:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(str(exc))
    except BaseException:
        if (folder / "state.json").exists():  # end what was started before the failure
            shape_module.stop(folder)
        raise
    try:
        assert run_checks(shape) == []
        assert '"checks": "passed"' in capsys.readouterr().out
        # Under CI SeaweedFS is installed (test extra): the files crossed servers through S3.
        assert ("S3_BUCKET" in shape.env) == (weed_binary() is not None)
        for n in (1, 2):  # the front's /healthz and the checks reached both servers
            assert "GET /" in Path(folder / f"server{n}.log").read_text()
    finally:
        shape_module.stop(folder)
        stopped = shape_module.Shape.load(folder)
        shutil.rmtree(folder, ignore_errors=True)
    assert not stopped.pids
