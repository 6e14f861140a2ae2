"""Property tests over the unit's report form: whatever is posted, never a 500, and a
refused submission stores nothing."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.models import Evidence, ProgressReport
from tests.factories import acknowledged

pytestmark = pytest.mark.django_db

junk = st.one_of(st.text(max_size=60), st.integers(-(10**6), 10**6).map(str), st.just(""))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    period=junk, percent=junk, text=junk, version=junk, completion=st.sampled_from(["", "on", "x"])
)
def test_report_form_never_500(
    assignment_a, user_a, client_a, period, percent, text, version, completion
):
    if assignment_a.status == "pending":
        acknowledged(assignment_a, user_a)
        assignment_a.refresh_from_db()
    before = ProgressReport.objects.count(), Evidence.objects.count()
    response = client_a.post(
        reverse("tasks:report_create", args=[assignment_a.pk]),
        {
            "period": period,
            "percent": percent,
            "text": text,
            "version": version,
            "requests_completion": completion,
        },
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert (ProgressReport.objects.count(), Evidence.objects.count()) == before


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(decision=junk, comment=junk, version=junk)
def test_review_form_never_500(report_a, office_client, decision, comment, version):
    report_a.refresh_from_db()
    status = report_a.review_status
    response = office_client.post(
        reverse("tasks:report_review", args=[report_a.pk]),
        {"decision": decision, "comment": comment, "version": version},
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        report_a.refresh_from_db()
        assert report_a.review_status == status
