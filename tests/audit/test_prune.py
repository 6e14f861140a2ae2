"""``manage.py prune_audit``: old entries go, the last six months never, and it is audited."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _entry(when: dt.datetime, label: str) -> AuditEntry:
    return AuditEntry.objects.create(
        action="issue.publish", result=AuditEntry.Result.DONE, object_label=label, at=when
    )


def _aware(*args):
    return timezone.make_aware(dt.datetime(*args))


def test_prune_deletes_entries_before_the_day_and_records_itself(today):
    _entry(_aware(2019, 3, 1), "很旧")
    _entry(_aware(2019, 12, 31, 23, 59), "前一天")
    _entry(_aware(2020, 1, 1, 0, 0), "当天")
    out = StringIO()
    call_command("prune_audit", "--before", "2020-01-01", stdout=out)
    assert "Deleted 2 audit entries before 2020-01-01" in out.getvalue()
    labels = set(AuditEntry.objects.values_list("object_label", flat=True))
    assert labels == {"当天", "< 2020-01-01"}
    run = AuditEntry.objects.get(action="audit.prune")
    assert run.result == AuditEntry.Result.DONE and run.detail == "删除 2 条"


@pytest.mark.parametrize("day", ["2026-06-15", "2026-01-01", "2030-01-01"])
def test_prune_refuses_a_day_within_the_retention_period(today, day):
    _entry(_aware(2019, 3, 1), "很旧")
    _entry(_aware(2026, 1, 2), "半年内")
    with pytest.raises(CommandError, match="kept 180 days.*2025-12-17"):
        call_command("prune_audit", "--before", day)
    assert AuditEntry.objects.filter(action="issue.publish").count() == 2
    refused = AuditEntry.objects.get(action="audit.prune")
    assert refused.result == AuditEntry.Result.REFUSED and "180" in refused.reason


def test_the_retention_is_a_setting(today, settings):
    settings.AUDIT_RETENTION_DAYS = 365 * 3
    _entry(_aware(2019, 3, 1), "很旧")
    with pytest.raises(CommandError, match="2023-06-16"):
        call_command("prune_audit", "--before", "2024-01-01")
    assert AuditEntry.objects.filter(action="issue.publish").count() == 1


def test_prune_refuses_a_malformed_day():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("prune_audit", "--before", "2020/01/01")
