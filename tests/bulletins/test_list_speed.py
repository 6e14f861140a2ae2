"""What keeps the reading list fast (issue 11): the index that serves its order, the
stored year counts instead of a GROUP BY and a COUNT(*) per request, and a query
count that does not grow with the number of issues."""

import datetime as dt
import re

import pytest
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from bulletins import services
from bulletins.models import Issue, IssueYearCount, Series
from bulletins.year_counts import refresh_year_counts, year_counts
from tests.bulletins.reading_list import page_count, titles, year_links
from tests.factories import INTERNAL, PUBLIC, SeriesFactory, make_issue

pytestmark = pytest.mark.django_db

LIST = "/bulletins/"


def _bulk_issues(count: int, *, series: Series, start: int = 0) -> None:
    """``count`` published issues over eight years, every third internal, written in bulk
    (no signals), then counted as a save would."""
    now = dt.datetime(2020, 6, 2, 10, tzinfo=dt.UTC)
    Issue.objects.bulk_create(
        [
            Issue(
                series=series,
                year=2013 + n % 8,
                number=1000 + n,
                title=f"批量简报{n}",
                issue_date=dt.date(2013 + n % 8, 1 + n % 12, 1 + n % 28),
                status=Issue.Status.PUBLISHED,
                published_at=now,
                visibility=INTERNAL if n % 3 == 0 else PUBLIC,
            )
            for n in range(start, start + count)
        ]
    )
    refresh_year_counts()


def _sql(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured]


# --- query counts, written down, at 10 and at 1,000 issues ------------------------------


@pytest.mark.parametrize(
    "persona, url, queries",
    [
        # the stored counts (years and series), the page's rows
        ("anon", LIST, 2),
        ("anon", "/bulletins/archive/2014/", 2),
        # a deep page reads its ids from the index in a subquery of its rows' (was 3)
        ("anon", f"{LIST}?page=30", 2),
        # a filter counts what it finds
        ("anon", f"{LIST}?q=批量", 3),
        # + the session with the user and their unit (was 3 queries, then 2); the unit's
        # 签收 read with the rows (was 6, then 5, then 4)
        ("unit_a", LIST, 3),
        ("unit_a", f"{LIST}?page=30", 3),
    ],
    indirect=["persona"],
)
def test_list_queries_are_a_fixed_number(persona, url, queries, django_assert_num_queries):
    series = SeriesFactory()
    _bulk_issues(10, series=series)
    persona.get(LIST)  # the session's first use
    if "page=30" not in url:
        with django_assert_num_queries(queries):
            persona.get(url)
    _bulk_issues(990, series=series, start=10)
    with django_assert_num_queries(queries):
        response = persona.get(url)
    assert response.status_code == 200


def test_an_unfiltered_list_counts_nothing_per_request(anon_client, client_a):
    _bulk_issues(60, series=SeriesFactory())
    for client in (anon_client, client_a):
        for url in (LIST, f"{LIST}?page=2", "/bulletins/archive/2015/"):
            statements = " ".join(_sql(client, url)).upper()
            assert "COUNT(" not in statements
            assert "GROUP BY" not in statements.replace(
                'GROUP BY "BULLETINS_ISSUEYEARCOUNT"', ""
            ).replace("GROUP BY 1", "")


def test_pages_and_their_order_are_what_counting_gave(anon_client, client_a):
    _bulk_issues(45, series=SeriesFactory())  # 30 public, 15 internal
    expected = list(Issue.objects.visible_to(None).published().values_list("title", flat=True))
    seen = []
    for page in (1, 2):
        response = anon_client.get(LIST, {"page": page})
        seen += titles(response)
        assert page_count(response) == 2
    assert seen == expected
    assert anon_client.get(LIST, {"page": 3}).status_code == 404
    assert page_count(client_a.get(LIST)) == 3
    assert client_a.get(LIST, {"page": 3}).status_code == 200


# --- the stored year counts ---------------------------------------------------------------


def _links(client):
    return year_links(client.get(LIST))


def test_year_counts_follow_publishing_withdrawing_and_deleting(anon_client, client_a, office_user):
    draft = make_issue("draft", PUBLIC, year=2019)
    make_issue("published", INTERNAL, year=2019)
    make_issue("published", PUBLIC, year=2018)
    assert _links(anon_client) == {2018: 1}
    assert _links(client_a) == {2019: 1, 2018: 1}

    services.publish_issue(issue=draft, by=office_user)
    assert _links(anon_client) == {2019: 1, 2018: 1}
    assert _links(client_a) == {2019: 2, 2018: 1}

    services.withdraw_issue(issue=draft, by=office_user)
    assert _links(anon_client) == {2018: 1}

    Issue.objects.get(year=2018).delete()
    assert _links(anon_client) == {}
    assert _links(client_a) == {2019: 1}


def test_a_rolled_back_publish_leaves_the_counts(office_user):
    draft = make_issue("draft", PUBLIC, year=2019)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.publish_issue(issue=draft, by=office_user)
        assert year_counts(None) == [{"year": 2019, "count": 1}]
        raise RuntimeError
    assert year_counts(None) == []


def _series_offered(client, url=LIST):
    html = client.get(url).content.decode()
    select = re.search(r'<select name="series".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="\d+">([^<]+)</option>', select)


def test_the_series_offered_follow_publishing_and_moving_issues(anon_client, client_a, office_user):
    first, second = SeriesFactory(name="甲系列"), SeriesFactory(name="乙系列")
    draft = make_issue("draft", PUBLIC, year=2019, series=first)
    make_issue("published", INTERNAL, year=2018, series=second)
    assert _series_offered(anon_client) == []
    assert _series_offered(client_a) == ["乙系列"]

    services.publish_issue(issue=draft, by=office_user)
    assert _series_offered(anon_client) == ["甲系列"]
    assert _series_offered(client_a, "/bulletins/archive/2018/") == ["乙系列"]

    moved = Issue.objects.get(pk=draft.pk)
    moved.series = second
    moved.save()
    assert _series_offered(anon_client) == ["乙系列"]
    assert _series_offered(client_a) == ["乙系列"]
    assert _series_offered(anon_client, "/bulletins/archive/2019/") == ["乙系列"]


def test_saves_that_touch_no_count_do_not_recount(django_assert_num_queries):
    issue = make_issue("published", PUBLIC, year=2019)
    issue.title = "新标题"
    with CaptureQueriesContext(connection) as captured:
        issue.save(update_fields=["title"])
    assert not any("issueyearcount" in q["sql"] for q in captured)
    assert IssueYearCount.objects.get(year=2019, visibility=PUBLIC).count == 1


# --- the index that serves the list's order ------------------------------------------------


def test_the_list_order_index_is_in_the_migrations():
    state = MigrationLoader(connection).project_state()
    indexes = {index.name: index for index in state.models["bulletins", "issue"].options["indexes"]}
    assert indexes["issue_list_order"].fields == [
        "status",
        "-issue_date",
        "-year",
        "-number",
        "-id",
        "visibility",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
@pytest.mark.parametrize("persona", ["anon", "unit_a"], indirect=True)
def test_postgresql_reads_a_deep_page_from_the_index_without_sorting(persona):
    _bulk_issues(600, series=SeriesFactory())
    statement = next(
        sql
        for sql in _sql(persona, f"{LIST}?page=15")
        if sql.startswith('SELECT "bulletins_issue"."id" AS')
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bulletins_issue")
        # Small test tables: tell the planner to avoid what it would use instead of an
        # index; a Sort then shows that no index gives the order.
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + statement)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The page's ids: a Limit straight over the index, no Sort under it (the twenty
    # rows read for them are put in order again, above it).
    under_limit = plan[plan.index("Limit") :]
    assert "issue_list_order" in under_limit
    assert "Sort" not in under_limit


# --- the issue page and its PDF --------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, line, queries",
    [
        # the issue with its series and stored reading copy (articles and files; no
        # meeting names it); the 抄送 line is printed as given: was 4
        ("anon", "各直属单位、集团各部门", 1),
        # + the 抄送 units, when there is no line to print
        ("anon", "", 2),
        # + the session with the user and their unit; readable?, the unit's receipt
        # inside a savepoint pair
        ("unit_a", "各直属单位", 6),
    ],
    indirect=["persona"],
)
def test_issue_page_queries_are_a_fixed_number(persona, line, queries, django_assert_num_queries):
    from tests.factories import UnitFactory

    series = SeriesFactory()
    issue = make_issue("published", PUBLIC, articles=3, distribution_line=line, series=series)
    issue.distribution.add(UnitFactory(name="抄送单位甲"))
    url = f"/bulletins/{issue.pk}/"
    persona.get(url)  # the first view creates the receipt
    with django_assert_num_queries(queries):
        small = persona.get(url)
    _bulk_issues(1000, series=series)
    with django_assert_num_queries(queries):
        big = persona.get(url)
    assert small.status_code == big.status_code == 200
    assert ("抄送单位甲" in big.content.decode()) is (line == "")
