"""Who sees which issue, meeting and file: personas × routes × states, one reason per row.

What a persona may not see answers 404 (never 403) or is simply absent from a
list or feed, so its existence does not leak.
"""

import pytest
from django.urls import reverse

from bulletins import urls as bulletins_urls
from tests.factories import (
    INTERNAL,
    PUBLIC,
    add_cover,
    make_attachment,
    make_image,
    make_issue,
    make_meeting,
)

pytestmark = pytest.mark.django_db

# state name → (Issue.status, visibility)
STATES = {
    "public": ("published", PUBLIC),
    "internal": ("published", INTERNAL),
    "draft": ("draft", PUBLIC),
    "scheduled": ("scheduled", PUBLIC),
    "withdrawn": ("withdrawn", PUBLIC),
}
ROUTES = ["list", "archive", "detail", "feed", "download", "image", "cover"]
LISTS = {"list", "archive", "feed"}  # present / absent; the others answer 200 / 404

# persona, issue state, what it gets on each of ROUTES ("Y" sees it, "-" does not), reason.
MATRIX = [
    ("anon", "public", "Y Y Y Y Y Y Y", "a published public issue is for everyone"),
    ("anon", "internal", "- - - - - - -", "internal issues are for signed-in members only; 404 hides that they exist"),
    ("anon", "draft", "- - - - - - -", "drafts belong to the office"),
    ("anon", "scheduled", "- - - - - - -", "a scheduled issue is not out yet"),
    ("anon", "withdrawn", "- - - - - - -", "withdrawal hides an issue from readers"),
    ("unit_a", "public", "Y Y Y Y Y Y Y", "members read public issues"),
    ("unit_a", "internal", "Y Y Y - Y Y Y", "members read internal issues; the feed is public issues only"),
    ("unit_a", "draft", "- - - - - - -", "a unit never sees a draft, not even its files"),
    ("unit_a", "scheduled", "- - - - - - -", "a unit sees an issue once it is published"),
    ("unit_a", "withdrawn", "- - - - - - -", "withdrawal hides an issue and its files from units"),
    ("unit_b", "public", "Y Y Y Y Y Y Y", "issues go to every unit alike"),
    ("unit_b", "internal", "Y Y Y - Y Y Y", "internal means members, every unit"),
    ("unit_b", "draft", "- - - - - - -", "a unit never sees a draft"),
    ("unit_b", "withdrawn", "- - - - - - -", "withdrawal hides an issue from every unit"),
    ("office", "public", "Y Y Y Y Y Y Y", "the office sees what it published"),
    ("office", "internal", "Y Y Y - Y Y Y", "the office sees internal issues; the feed stays public-only"),
    ("office", "draft", "- - Y - Y Y Y", "drafts stay out of the list but the office previews them at the detail URL"),
    ("office", "scheduled", "- - Y - Y Y Y", "the office previews a scheduled issue"),
    ("office", "withdrawn", "- - Y - Y Y Y", "staff keep withdrawn issues"),
    ("other_staff", "public", "Y Y Y Y Y Y Y", "staff outside 产改办 read like any signed-in member"),
    ("other_staff", "internal", "Y Y Y - Y Y Y", "signed-in staff read internal issues"),
    ("other_staff", "draft", "- - - - - - -", "only 产改办 previews drafts; being staff is not enough"),
    ("other_staff", "withdrawn", "- - - - - - -", "only 产改办 keeps seeing withdrawn issues"),
    ("deactivated", "public", "Y Y Y Y Y Y Y", "a switched-off account reads what the public reads"),
    ("deactivated", "internal", "- - - - - - -", "a switched-off account is no longer a member"),
    ("deactivated", "draft", "- - - - - - -", "drafts belong to the office"),
]  # fmt: skip

CASES = [
    pytest.param(persona, state, route, flag == "Y", reason, id=f"{persona}-{state}-{route}")
    for persona, state, flags, reason in MATRIX
    for route, flag in zip(ROUTES, flags.split(), strict=True)
]


def _urls(issue, attachment, image):
    return {
        "list": reverse("bulletins:issue_list"),
        "archive": reverse("bulletins:year_archive", args=[issue.year]),
        "detail": reverse("bulletins:issue_detail", args=[issue.pk]),
        "feed": reverse("bulletins:feed"),
        "download": reverse("bulletins:attachment_download", args=[issue.pk, attachment.pk]),
        "image": reverse("bulletins:attachment_image", args=[issue.pk, image.pk]),
        "cover": reverse("bulletins:issue_cover", args=[issue.pk]),
    }


@pytest.mark.parametrize(
    ("persona", "state", "route", "sees", "reason"), CASES, indirect=["persona"]
)
def test_issue_visibility(persona, state, route, sees, reason):
    status, visibility = STATES[state]
    title = f"矩阵测试简报{state}"
    issue = make_issue(status, visibility, title=title, year=2017)
    attachment = make_attachment(issue)
    image = make_image(issue)
    add_cover(issue)
    response = persona.get(_urls(issue, attachment, image)[route])
    if route in LISTS:
        assert response.status_code in (200, 404), reason
        body = response.content.decode() if response.status_code == 200 else ""
        assert (title in body) is sees, reason
        if route == "archive" and not sees:
            # The year holds nothing this persona may see: the archive itself is a 404.
            assert response.status_code == 404, reason
    else:
        assert response.status_code == (200 if sees else 404), reason


MEETING_MATRIX = [
    ("anon", PUBLIC, True, "a public meeting record is for everyone"),
    ("anon", INTERNAL, False, "internal meeting records are for members only"),
    ("unit_a", INTERNAL, True, "members read internal meeting records"),
    ("unit_b", INTERNAL, True, "every unit reads them"),
    ("office", INTERNAL, True, "the office wrote it"),
    ("other_staff", INTERNAL, True, "signed-in staff read like members"),
    ("deactivated", INTERNAL, False, "a switched-off account is no longer a member"),
]


@pytest.mark.parametrize(
    ("persona", "visibility", "sees", "reason"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in MEETING_MATRIX],
    indirect=["persona"],
)
def test_meeting_visibility(persona, visibility, sees, reason):
    meeting = make_meeting(visibility, title=f"矩阵测试会议{visibility}")
    detail = persona.get(reverse("bulletins:meeting_detail", args=[meeting.pk]))
    assert detail.status_code == (200 if sees else 404), reason
    listing = persona.get(reverse("bulletins:meeting_list"))
    assert listing.status_code == 200
    assert (meeting.title in listing.content.decode()) is sees, reason


@pytest.mark.parametrize(
    ("persona", "sees_internal", "sees_draft", "reason"),
    [
        pytest.param("anon", False, False, "the public sees public issues only", id="anon"),
        pytest.param("unit_a", True, False, "members see internal issues, not drafts", id="unit_a"),
        pytest.param("office", True, True, "the office sees its drafts too", id="office"),
    ],
    indirect=["persona"],
)
def test_meeting_links_only_issues_the_reader_may_see(persona, sees_internal, sees_draft, reason):
    meeting = make_meeting(PUBLIC)
    public = make_issue("published", PUBLIC, title="公开的相关简报")
    internal = make_issue("published", INTERNAL, title="内部的相关简报")
    draft = make_issue("draft", PUBLIC, title="草稿的相关简报")
    meeting.issues.add(public, internal, draft)
    html = persona.get(reverse("bulletins:meeting_detail", args=[meeting.pk])).content.decode()
    assert "公开的相关简报" in html
    assert ("内部的相关简报" in html) is sees_internal, reason
    assert ("草稿的相关简报" in html) is sees_draft, reason


@pytest.mark.parametrize(
    ("persona", "sees", "reason"),
    [
        pytest.param("anon", False, "internal meeting records are for members", id="anon"),
        pytest.param("unit_a", True, "members read internal meeting records", id="unit_a"),
    ],
    indirect=["persona"],
)
def test_issue_page_links_only_meetings_the_reader_may_see(persona, sees, reason):
    issue = make_issue("published", PUBLIC)
    make_meeting(INTERNAL, title="内部的相关会议").issues.add(issue)
    html = persona.get(reverse("bulletins:issue_detail", args=[issue.pk])).content.decode()
    assert ("内部的相关会议" in html) is sees, reason


# Routes of the bulletins namespace and where their permission expectations live.
COVERED_HERE = {
    "issue_list": "MATRIX list",
    "year_archive": "MATRIX archive",
    "issue_detail": "MATRIX detail",
    "feed": "MATRIX feed",
    "attachment_download": "MATRIX download",
    "attachment_image": "MATRIX image",
    "issue_cover": "MATRIX cover",
    "issue_acknowledge": "test_receipts.py (acknowledge view)",
    "meeting_list": "MEETING_MATRIX",
    "meeting_detail": "MEETING_MATRIX",
}
COVERED_ELSEWHERE = {
    "issue_pdf": "test_pdf_views.py MATRIX (PDF)",
    "year_zip": "test_pdf_views.py MATRIX (year ZIP)",
}


def test_every_bulletins_route_has_a_permission_expectation():
    names = {pattern.name for pattern in bulletins_urls.urlpatterns}
    unexpected = names - set(COVERED_HERE) - set(COVERED_ELSEWHERE)
    assert not unexpected, f"add these routes to the visibility matrix: {sorted(unexpected)}"
    assert set(COVERED_HERE) <= names
