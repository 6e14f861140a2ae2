"""The throwaway PostgreSQL cluster of tests that stop and restart the database
(deploy/pgcluster.py); skips where PostgreSQL's server programs are not installed."""

import pytest

from deploy.pgcluster import Cluster, ClusterUnavailable


def throwaway_cluster() -> Cluster:
    """A new cluster in a temp folder on a free port, started."""
    try:
        return Cluster().start()
    except ClusterUnavailable as exc:
        pytest.skip(str(exc))
