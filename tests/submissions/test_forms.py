"""Property tests over the 信息报送 forms: whatever is posted, never a 500, and a refused
post stores nothing."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletins.submissions.models import Adoption, ScoringRule, Submission, SubmissionFile
from bulletins.submissions.services.rules import RULE_FIELDS
from tests.factories import make_submission

pytestmark = pytest.mark.django_db

junk = st.one_of(st.text(max_size=60), st.integers(-(10**6), 10**6).map(str), st.just(""))
SLOW = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SLOW
@given(
    title=junk,
    body=junk,
    author=junk,
    phone=junk,
    signer=junk,
    category=st.one_of(junk, st.just("CATEGORY")),
    version=junk,
)
def test_the_unit_form_never_500(
    client_a, request, title, body, author, phone, signer, category, version
):
    if category == "CATEGORY":  # sometimes the real 栏目, so valid posts are tried too
        category = request.getfixturevalue("category").pk
    before = Submission.objects.count(), SubmissionFile.objects.count()
    response = client_a.post(
        reverse("submissions:create"),
        {
            "category": category,
            "title": title,
            "body": body,
            "author": author,
            "author_phone": phone,
            "signer": signer,
            "version": version,
        },
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert (Submission.objects.count(), SubmissionFile.objects.count()) == before


@SLOW
@given(issue=junk, mode=junk, article=junk, version=junk, level=junk, day=junk, name=junk)
def test_the_office_forms_never_500(
    office_client, unit_a, draft_issue, issue, mode, article, version, level, day, name
):
    piece = make_submission(unit_a, "pending")
    adopt = reverse("submissions:adopt", args=[piece.pk])
    data = {"issue": issue, "mode": mode, "article": article, "version": version}
    assert office_client.post(adopt, data).status_code == 302
    piece.refresh_from_db()
    assert piece.status == "pending" or Adoption.objects.filter(submission=piece).exists()
    upward = reverse("submissions:upward", args=[piece.pk])
    data = {"level": level, "publication": name, "published_on": day}
    assert office_client.post(upward, data).status_code == 302


@SLOW
@given(values=st.lists(junk, min_size=9, max_size=9))
def test_the_rules_form_never_500(office_client, values):
    fields = RULE_FIELDS
    before = list(ScoringRule.objects.values())
    response = office_client.post(
        reverse("submissions:rules", args=[2026]), dict(zip(fields, values, strict=True))
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert list(ScoringRule.objects.values()) == before
