"""The previous release's workers keep searching after ``migrate`` (README: migrate
before serving a new release; they serve until their restart).

search 0012 gave ``search_newest`` a new signature; search 0010's 8-argument function,
which the release before it calls, stays beside it. Found by the seventh pass's review:
with 0012 dropping it, every bare search of an old worker was the error page."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="search_newest: PostgreSQL"),
]

# engine.NEWEST_CALL as the release before search 0012 wrote it.
PREVIOUS_CALL = (
    "SELECT * FROM search_newest(%s, %s::text[], %s::bigint[], %s::text[], %s, "
    "%s::text[], %s::text[], %s::integer)"
)


def test_the_previous_releases_call_still_runs_after_migrate():
    params = ["'工人'", ["'¦t202612'"], [2**62], None, 1001, None, None, None]
    with connection.cursor() as cursor:
        cursor.execute(PREVIOUS_CALL, params)  # UndefinedFunction when 0012 drops it
        assert cursor.fetchone() is not None
