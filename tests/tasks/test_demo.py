"""The demo: both plans load (twice without change), with a true mix of states."""

import pytest
from django.core.management import call_command

from tasks.models import Assessment, Assignment, Evidence, Light, Plan, ProgressReport, Reminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", password="demo-pass-xyz")


def test_demo_has_something_true_on_every_screen(demo):
    assert Plan.objects.filter(year=2020).exists()
    lights = {a.light for a in Assignment.objects.with_light()}
    assert lights == {Light.RED, Light.YELLOW, Light.GREEN, Light.DONE}
    current = Assignment.objects.exclude(task__plan__year=2020)
    # 2.2 closed on time; 4.3 港口集团 closed by its extended date (tasks/demo_followup.py).
    assert current.filter(status="closed").count() == 2
    assert current.filter(status="completion_requested").exists()
    reports = ProgressReport.objects.exclude(assignment__task__plan__year=2020)
    assert reports.filter(review_status="accepted").exists()
    assert reports.filter(review_status="pending").exists()
    returned = reports.get(review_status="returned")
    assert returned.assignment.unit.name == "市人社局" and returned.review_comment
    assert Evidence.objects.exists() and Reminder.objects.filter(kind="manual").exists()
    assert Assessment.objects.filter(plan__year=2020).count() == 5
    roles = set(Assignment.objects.values_list("role", flat=True))
    assert roles == {"lead", "cooperate"}


def test_demo_is_idempotent(demo):
    counts = [m.objects.count() for m in (Plan, Assignment, ProgressReport, Evidence, Reminder)]
    call_command("load_demo", password="demo-pass-xyz")
    assert [
        m.objects.count() for m in (Plan, Assignment, ProgressReport, Evidence, Reminder)
    ] == counts
