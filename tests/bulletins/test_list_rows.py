"""The unfiltered reading list reads its rows through SQL compiled once per audience
(bulletins/views.py ``_list_query``, portal/kept_sql.py): every persona must see exactly
the rows, order and 签收 marks ``Issue.visible_to`` and ``ReadReceipt.visible_to`` give,
on first and deep pages and in a year's archive; users with one key share one SQL."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from bulletins import views
from bulletins.list_html import ISSUE_ROW_FIELDS
from bulletins.models import Issue, ReadReceipt, issue_audience
from bulletins.year_counts import list_counts, refresh_year_counts
from portal import kept_sql
from portal.accounts.models import acting_unit_id
from tests.bulletins.reading_list import page_count, titles
from tests.factories import INTERNAL, PUBLIC, SeriesFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

# Every kind of reader visible_to (and ReadReceipt.visible_to) tells apart.
PERSONAS = [
    "anonymous",
    "unit_a",
    "unit_a_colleague",
    "unit_a_leader",
    "unit_b",
    "unit_c",
    "office",
    "superuser",
    "superuser_with_unit",
    "other_staff",
    "staff_with_unit",
    "deactivated",
]


@pytest.fixture
def readers(unit_a, unit_b, office_user, other_staff, user_a, user_b, deactivated_user):
    unit_c = UnitFactory(name="第三单位")
    return {
        "anonymous": AnonymousUser(),
        "unit_a": user_a,
        "unit_a_colleague": UserFactory(username="renshe2", unit=unit_a),
        "unit_a_leader": UserFactory(username="renshe-lead", unit=unit_a, is_unit_leader=True),
        "unit_b": user_b,
        "unit_c": UserFactory(username="third", unit=unit_c),
        "office": office_user,
        "superuser": UserFactory(username="root", unit=None, is_staff=True, is_superuser=True),
        "superuser_with_unit": UserFactory(
            username="root2", unit=unit_a, is_staff=True, is_superuser=True
        ),
        "other_staff": other_staff,
        "staff_with_unit": UserFactory(username="staffa", unit=unit_a, is_staff=True),
        "deactivated": deactivated_user,
    }


@pytest.fixture
def shelf(unit_a, unit_b):
    """Issues in every state over three years and two series, the same date for
    several (the order's ties), and receipts: signed for, only viewed, by A and B."""
    first, second = SeriesFactory(name="甲系列"), SeriesFactory(name="乙系列")
    now = timezone.now()
    lifecycle = {
        "draft": {},
        "scheduled": {"publish_at": now},
        "published": {"published_at": now},
        "withdrawn": {"published_at": now, "withdrawn_at": now},
    }
    issues = Issue.objects.bulk_create(
        [
            Issue(
                series=first if n % 2 else second,
                year=2018 + n % 3,
                number=100 + n if n % 7 else None,
                issue_date=dt.date(2018 + n % 3, 1 + n % 4, 1),
                title=f"简报{n}",
                summary=f"摘要{n}" if n % 4 else "",
                visibility=INTERNAL if n % 3 == 0 else PUBLIC,
                status=state,
                **lifecycle[state],
            )
            for n in range(34)
            for state in [{5: "draft", 11: "scheduled", 17: "withdrawn"}.get(n, "published")]
        ]
    )
    refresh_year_counts()
    now = timezone.now()
    for n, issue in enumerate(issues):
        if n % 4 == 0:
            ReadReceipt.objects.create(issue=issue, unit=unit_a, acknowledged_at=now)
        elif n % 4 == 1:
            ReadReceipt.objects.create(issue=issue, unit=unit_a, first_viewed_at=now)
        if n % 5 == 0:
            ReadReceipt.objects.create(issue=issue, unit=unit_b, acknowledged_at=now)
    return issues


def _orm_rows(user, year):
    visible = Issue.objects.visible_to(user).published()
    if year is not None:
        visible = visible.filter(year=year)
    return list(visible.values(*ISSUE_ROW_FIELDS))


def _orm_acknowledged(user):
    return set(
        ReadReceipt.objects.visible_to(user)
        .filter(acknowledged_at__isnull=False)
        .values_list("issue_id", flat=True)
    )


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("year", [None, 2019])
@pytest.mark.parametrize("way", ["shallow", "walk", "seek"])
def test_every_persona_reads_the_rows_visible_to_gives(shelf, readers, who, year, way):
    user = readers[who]
    unit_id = acting_unit_id(user)
    deep, seek = way != "shallow", way == "seek"
    query = views._list_query(user, in_year=year is not None, deep=deep, seek=seek, unit_id=unit_id)
    by_issue_year = list_counts(user, year).by_issue_year
    expected = _orm_rows(user, year)
    acknowledged = _orm_acknowledged(user) if unit_id else set()
    assert expected  # every persona sees some issues
    for offset in range(0, len(expected) + 4, 3):
        values = {"year": year}
        if seek:
            until, from_there = views._seek(by_issue_year, offset)
            if until is None:  # past the end
                assert offset >= len(expected)
                continue
            rows = query.dicts({**values, "until": until, "limit": 4, "offset": from_there})
        elif deep:
            rows = query.dicts({**values, "limit": 4, "offset": offset})
        else:
            rows = query.dicts(values, limit=4, offset=offset)
        assert [{k: row[k] for k in ISSUE_ROW_FIELDS} for row in rows] == expected[
            offset : offset + 4
        ]
        if unit_id:
            assert {row["pk"] for row in rows if row["acknowledged"]} == acknowledged & {
                row["pk"] for row in rows
            }
        else:
            assert all("acknowledged" not in row for row in rows)


def test_readers_with_one_key_share_one_sql_and_the_kept_sql_is_theirs(shelf, readers):
    """The key is exactly what visible_to branches on: users with equal keys compile
    the same statement, and the statement kept is the one each would compile."""
    by_key = {}
    for user in readers.values():
        for in_year in (False, True):
            for deep in (False, True):
                kept_sql.forget()
                key = (issue_audience(user), acting_unit_id(user), in_year, deep)
                args = dict(in_year=in_year, deep=deep, seek=deep, unit_id=acting_unit_id(user))
                fresh = views._list_query(user, **args)
                statement = (fresh.sql, fresh.params)
                assert by_key.setdefault(key, statement) == statement, (user, key)
                assert views._list_query(user, **args) is fresh
    kept_sql.forget()
    audiences = {key[0] for key in by_key}
    assert audiences == {"office", "members", "anyone"}


def _issue_list(html: str) -> str:
    return re.search(r'<ol class="issue-list">.*?</ol>', html, re.S).group(0)


@pytest.mark.parametrize(
    "who", ["anonymous", "unit_a", "unit_b", "office", "superuser_with_unit", "other_staff"]
)
@pytest.mark.parametrize("deep_from", [200, 0])
def test_the_page_is_the_one_the_orm_path_prints(shelf, readers, who, deep_from, monkeypatch):
    """The unfiltered list (kept SQL) and the same list behind an empty filter (the
    ORM and FilterSet path) print the same rows, in both languages, on every page."""
    monkeypatch.setattr(views, "DEEP_OFFSET", deep_from)
    user = readers[who]
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    for language in ("zh-hans", "en"):
        for url in ("/bulletins/", "/bulletins/archive/2019/"):
            for page in (1, 2):
                kept = client.get(url, {"page": page}, HTTP_ACCEPT_LANGUAGE=language)
                orm = client.get(url, {"page": page, "q": ""}, HTTP_ACCEPT_LANGUAGE=language)
                assert kept.status_code == orm.status_code
                if kept.status_code == 404:  # (a year of one page)
                    continue
                assert _issue_list(kept.content.decode()) == _issue_list(orm.content.decode())
                assert page_count(kept) == page_count(orm)


def test_a_deep_page_starts_from_the_year_of_issue_date_its_first_row_is_in():
    counts = {2020: 5, 2019: 3, 2017: 4}
    assert views._seek(counts, 0) == ("2020-12-31", 0)
    assert views._seek(counts, 4) == ("2020-12-31", 4)
    assert views._seek(counts, 5) == ("2019-12-31", 0)
    assert views._seek(counts, 8) == ("2017-12-31", 0)
    assert views._seek(counts, 11) == ("2017-12-31", 3)
    assert views._seek(counts, 12) == (None, 12)  # past the list
    # An issue without a date: where it falls differs between databases; walk.
    assert views._seek({**counts, 0: 1}, 6) == (None, 6)


@pytest.mark.parametrize("who", ["anonymous", "unit_a", "office"])
def test_deep_pages_with_an_undated_issue_walk_the_whole_list(shelf, readers, who, monkeypatch):
    """Published issues have dates (the forms ask for them); one written without a date
    still shows where the database puts it, on the deep pages as on the others."""
    Issue.objects.filter(title="简报4").update(issue_date=None)
    refresh_year_counts()
    monkeypatch.setattr(views, "DEEP_OFFSET", 0)
    user = readers[who]
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    seen = []
    for page in (1, 2):
        response = client.get("/bulletins/", {"page": page})
        if response.status_code == 404:  # (one page)
            break
        seen += titles(response)
    assert seen == [row["title"] for row in _orm_rows(user, None)]
    assert "简报4" in seen


def test_the_counts_per_year_of_issue_date_follow_a_new_date(shelf):
    issue = Issue.objects.get(title="简报1")
    before = list_counts(AnonymousUser()).by_issue_year
    issue.issue_date = dt.date(2031, 1, 1)
    issue.save(update_fields=["issue_date"])
    after = list_counts(AnonymousUser()).by_issue_year
    assert after[2031] == 1
    assert sum(after.values()) == sum(before.values())
