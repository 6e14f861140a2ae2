"""信息报送 fed the control characters Word and WPS paste (U+000B, U+0000, U+001F, U+007F,
U+0085, U+2028): the forms save them resolved or refuse with a message, never a 500;
rows written around the forms still give a year table that opens and search snippets
that render (portal/text.py)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from bulletins.submissions.models import Adoption, ScoringRule, Submission
from tests.factories import make_adoption, make_submission
from tests.portal.test_control_characters_in import ALL, dirty, stored_controls
from tests.portal.test_text import CONTROLS, has_control, write_raw

pytestmark = pytest.mark.django_db

DIRTY = "甲\x0b乙\x01丙\x1f丁\x7f戊\x85己\u2028庚"  # no NUL: PostgreSQL cannot store it


@pytest.mark.parametrize("ch", [*CONTROLS, ALL])
def test_the_piece_form(client_a, category, ch):
    keys = ["title", "author", "author_phone", "signer"]
    data = {"category": category.pk, "body": f"<p>{dirty(ch, 9)}</p>"}
    data |= {k: dirty(ch, n) for n, k in enumerate(keys)}
    response = client_a.post(reverse("submissions:create"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "errorlist" in response.content.decode()
    else:
        piece = Submission.objects.get()
        assert "乙" in piece.title and "乙" in piece.body
    assert stored_controls() == []


def test_office_steps_with_dirty_comments(office_client, unit_a):
    for step in ("return", "decline"):
        piece = make_submission(unit_a, "pending")
        response = office_client.post(
            reverse(f"submissions:{step}", args=[piece.pk]),
            {"comment": dirty(ALL, 1), "version": str(piece.version)},
        )
        assert response.status_code == 302, step
        piece.refresh_from_db()
        assert "乙" in piece.office_comment
    piece = make_submission(unit_a, "adopted")
    response = office_client.post(
        reverse("submissions:upward", args=[piece.pk]),
        {"level": "province", "publication": dirty(ALL, 1), "published_on": "2026-06-01"},
    )
    assert response.status_code in (200, 302)
    assert stored_controls() == []


def test_update_around_the_forms_stores_clean_text(unit_a):
    piece = make_submission(unit_a, "pending")
    Submission.objects.filter(pk=piece.pk).update(
        title=dirty(ALL, 1), body=f"<p>{dirty(ALL, 2)}</p>", office_comment=dirty(ALL, 3)
    )
    piece.refresh_from_db()
    assert "乙" in piece.title and "乙" in piece.body
    assert stored_controls() == []


def test_the_year_table_detail_and_search_with_raw_dirty_rows(
    office_client, unit_a, draft_issue, today
):
    ScoringRule.objects.create(year=2026)
    piece = make_submission(unit_a, "adopted", sent_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    make_adoption(piece, issue=draft_issue, published_on=dt.date(2026, 2, 20))
    upward = make_adoption(piece, "province", published_on=dt.date(2026, 3, 1))
    write_raw("units_unit", "name", unit_a.pk, f"单位{DIRTY}")
    write_raw("submissions_submission", "title", piece.pk, f"检索标题{DIRTY}")
    write_raw("submissions_submission", "body", piece.pk, f"<p>检索正文{DIRTY}</p>")
    write_raw("submissions_adoption", "publication", upward.pk, f"刊物{DIRTY}")
    assert Adoption.objects.filter(publication__startswith="刊物").exists()

    response = office_client.get(reverse("submissions:points_export") + "?year=2026")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c.value) for r in sheet.iter_rows() for c in r if c.value is not None]
    assert any(c.startswith("单位甲") for c in cells)
    assert not any(has_control(c) for c in cells)
    for url in (
        reverse("submissions:points") + "?year=2026",
        reverse("submissions:detail", args=[piece.pk]),
        reverse("submissions:list"),
    ):
        assert office_client.get(url).status_code == 200, url

    call_command("rebuild_search_index", "--no-progress")
    response = office_client.get(reverse("search:search"), {"q": "检索"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "检索" in page and reverse("submissions:detail", args=[piece.pk]) in page
    assert not has_control(page)
