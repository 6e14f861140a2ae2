"""New progress reports on one assignment never conflict with each other: the version
check guards edits of existing rows only. A real conflict (a colleague's completion
request meanwhile) refuses the form and says plainly that the chosen file was not kept.
"""

import hashlib
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tasks.models import Evidence, ProgressReport
from tests.factories import PDF, UserFactory, acknowledged, pdf


def colleague_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def report_data(text, *, files=(), **extra):
    period = timezone.localdate().strftime("%Y-%m")
    return {"period": period, "percent": "40", "text": text, "files": list(files), **extra}


def evidence_of(report) -> list[tuple[str, str]]:
    out = []
    for e in report.evidence.all():
        with e.file.open("rb") as handle:
            out.append((e.original_name, hashlib.sha256(handle.read()).hexdigest()))
    return out


@pytest.mark.django_db
def test_a_page_opened_before_a_colleagues_report_still_submits(assignment_a, user_a, unit_a):
    acknowledged(assignment_a, user_a)
    colleague = UserFactory(username="renshe2", unit=unit_a)
    first, second = colleague_client(user_a), colleague_client(colleague)
    url = reverse("tasks:report_create", args=[assignment_a.pk])
    stale_version = assignment_a.version  # both pages drawn now
    assert second.post(url, report_data("同事的报送", files=[pdf("同事.pdf")])).status_code == 302
    # An old page (or an old browser tab) may still post a version: it is not compared.
    response = first.post(
        url, report_data("我的报送", files=[pdf("我的.pdf")], version=str(stale_version))
    )
    assert response.status_code == 302
    reports = {r.text: r for r in ProgressReport.objects.filter(assignment=assignment_a)}
    assert set(reports) == {"同事的报送", "我的报送"}
    digest = hashlib.sha256(PDF).hexdigest()
    assert evidence_of(reports["我的报送"]) == [("我的.pdf", digest)]
    assert evidence_of(reports["同事的报送"]) == [("同事.pdf", digest)]


@pytest.mark.django_db
def test_a_real_conflict_refuses_and_says_to_choose_the_file_again(assignment_a, user_a, unit_a):
    acknowledged(assignment_a, user_a)
    colleague = UserFactory(username="renshe2", unit=unit_a)
    url = reverse("tasks:report_create", args=[assignment_a.pk])
    done = report_data("已全部完成", requests_completion="on")
    assert colleague_client(colleague).post(url, done).status_code == 302
    response = colleague_client(user_a).post(
        url, report_data("我刚写的进展", files=[pdf("培训签到表.pdf")])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "已申请办结" in page and "我刚写的进展" in page
    assert "所选文件（培训签到表.pdf）尚未保存，请重新选择后再提交。" in page
    assert ProgressReport.objects.filter(assignment=assignment_a).count() == 1
    assert not Evidence.objects.filter(original_name="培训签到表.pdf").exists()


@pytest.mark.django_db(transaction=True)
def test_colleagues_reporting_at_the_same_instant_both_land(today, task, unit_a):
    """Eight colleagues post at once (threads, each with its own connection): on
    PostgreSQL they queue on the assignment's row lock; every report lands with its file."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole file)")
    from tasks.models import Assignment

    assignment = Assignment.objects.create(task=task, unit=unit_a)
    users = [UserFactory(username=f"renshe{i}", unit=unit_a) for i in range(8)]
    acknowledged(assignment, users[0])
    clients = [colleague_client(u) for u in users]
    url = reverse("tasks:report_create", args=[assignment.pk])
    version = str(assignment.version)  # every page was drawn at this version
    start = threading.Barrier(len(clients))
    statuses = {}

    def post(i, client):
        try:
            start.wait()
            files = [pdf(f"材料{i}.pdf", PDF + bytes([i]))]
            data = report_data(f"第{i}位同事的进展", files=files, version=version)
            statuses[i] = client.post(url, data).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses == dict.fromkeys(range(8), 302)
    reports = ProgressReport.objects.filter(assignment=assignment)
    assert reports.count() == 8
    for r in reports:
        i = int(r.text[1 : r.text.index("位")])
        assert evidence_of(r) == [(f"材料{i}.pdf", hashlib.sha256(PDF + bytes([i])).hexdigest())]
