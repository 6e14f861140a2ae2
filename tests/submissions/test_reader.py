"""The reader sees the source of an adopted piece, （市人社局供稿）, on the issue page and in
its PDF; the demo shows the workflow with a few months of data."""

import io
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bulletins import services as issue_services
from bulletins.pdf import render_issue_pdf
from bulletins.submissions import selectors, services
from bulletins.submissions.models import Adoption, Submission
from tests.bulletins.pdf_checks import text_of
from tests.factories import make_submission

pytestmark = pytest.mark.django_db


def test_the_source_line_on_the_page_and_in_the_pdf(office_user, unit_a, draft_issue, client_b):
    piece = make_submission(unit_a, "pending", title="市人社局开展技能培训")
    services.adopt_submission(submission=piece, by=office_user, issue=draft_issue, mode="article")
    issue_services.publish_issue(issue=draft_issue, by=office_user)
    page = client_b.get(reverse("bulletins:issue_detail", args=[draft_issue.pk]))
    assert "（市人社局供稿）" in page.content.decode()
    assert "（市人社局供稿）" in text_of(render_issue_pdf(draft_issue)).replace("\n", "")


def test_the_unit_sees_adopted_and_its_issue(office_user, unit_a, draft_issue, client_a):
    piece = make_submission(unit_a, "pending")
    services.adopt_submission(submission=piece, by=office_user, issue=draft_issue, mode="article")
    page = client_a.get(reverse("submissions:detail", args=[piece.pk])).content.decode()
    assert "已采用" in page and "本刊采用" in page


def test_a_refused_form_keeps_what_was_typed(client_a, category):
    data = {"category": category.pk, "title": "", "body": "<p>保留的正文</p>", "author": "李敏"}
    page = client_a.post(reverse("submissions:create"), data).content.decode()
    assert "请填写标题" in page and "保留的正文" in page and 'value="李敏"' in page
    assert not Submission.objects.exists()


def test_the_demo_has_months_of_pieces_and_points(settings, client):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    statuses = set(Submission.objects.values_list("status", flat=True))
    assert {"adopted", "pending", "declined", "returned", "awaiting_signoff", "draft"} <= statuses
    assert Adoption.objects.filter(level=Adoption.Level.PROVINCE).exists()
    today = timezone.localdate()
    rows = {r["unit"].name: r for r in selectors.year_table(year=today.year, today=today)}
    assert rows["市人社局"]["points"] > 0 and rows["市人社局"]["upward_total"] == 1
    adopted = Adoption.objects.filter(issue__status="published").select_related("article").first()
    assert "供稿）" in adopted.article.body
    client.force_login(get_user_model().objects.get(username="office"))
    sheet = load_workbook(io.BytesIO(client.get(reverse("submissions:points_export")).content))
    exported = {row[0]: row[-1] for row in sheet.active.iter_rows(min_row=2, values_only=True)}
    assert exported["市人社局"] == float(rows["市人社局"]["points"])
    call_command("load_demo", stdout=StringIO())  # twice: nothing doubles
    assert Submission.objects.count() == 13


def test_the_issue_admin_links_each_article_to_its_pieces(office_user, unit_a, draft_issue):
    from django.test import Client

    piece = make_submission(unit_a, "pending", title="人社局来稿")
    services.adopt_submission(submission=piece, by=office_user, issue=draft_issue, mode="article")
    client = Client()
    client.force_login(office_user)
    page = client.get(reverse("admin:bulletins_issue_change", args=[draft_issue.pk]))
    html = page.content.decode()
    assert f'<a href="/submissions/{piece.pk}/">人社局来稿</a>（市人社局）' in html
