"""The follow-up demo: extension requests in every state, loaded twice without change."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from tasks import selectors
from tasks.models import Assignment, ExtensionRequest, Light

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", password="demo-pass-xyz")


def test_demo_shows_extensions_in_every_state(demo):
    statuses = sorted(ExtensionRequest.objects.values_list("status", flat=True))
    assert statuses == ["approved", "approved", "declined", "pending"]
    waiting = ExtensionRequest.objects.get(status="pending")
    # While it waits, the light keeps the task's date: red.
    assert Assignment.objects.with_light().get(pk=waiting.assignment_id).light == Light.RED
    current = Assignment.objects.exclude(task__plan__year=2020).with_light()
    totals = selectors.totals(current, timezone.localdate())
    assert totals["extended"] == 2 and totals["on_time_extended"] == 1


def test_demo_is_idempotent(demo):
    rows = list(ExtensionRequest.objects.values_list("pk", "status", "version"))
    call_command("load_demo", password="demo-pass-xyz")
    assert list(ExtensionRequest.objects.values_list("pk", "status", "version")) == rows
