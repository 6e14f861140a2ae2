"""Every text field of every form and admin form, fed the control characters Word and WPS
paste: saved normalised or refused with a message, never a 500 (portal/text.py)."""

import io

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse

from portal.accounts.models import User
from tests.bulletins.admin_forms_data import change_form_data

from .test_text import CONTROLS, has_control

pytestmark = pytest.mark.django_db

PROJECT_APPS = ["bulletins", "submissions", "tasks", "units", "accounts", "audit", "auth"]


def dirty(ch: str, n: int) -> str:
    return f"甲{n}{ch}乙"


# One value holding all six characters: each form is posted once (admin pages are slow
# to render); normalize_text is tested character by character in test_text.py.
ALL = "".join(CONTROLS)


def stored_controls() -> list[str]:
    """Every stored text value of the project's models that still holds a control character."""
    found = []
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            fields = [
                f.attname
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField)
            ]
            for row in model.objects.values("pk", *fields):
                found += [
                    f"{model._meta.label}.{k} #{row['pk']}"
                    for k, v in row.items()
                    if isinstance(v, str) and has_control(v)
                ]
    return found


def text_keys(form) -> list[str]:
    return [
        form.add_prefix(name)
        for name, field in form.fields.items()
        if isinstance(field, forms.CharField)
        and not field.disabled
        and not isinstance(field.widget, forms.HiddenInput)
    ]


def error_keys(context) -> set[str]:
    keys = {k for k in context["adminform"].form.errors}
    for inline in context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            keys |= {form.add_prefix(k) for k in form.errors}
    return keys


@pytest.fixture
def demo(db):
    call_command("load_demo", password="demo-pass-xyz", force=True, stdout=io.StringIO())
    root = User.objects.create_superuser("root-test", "root@example.cn", "x")
    client = Client()
    client.force_login(root)
    return client


def test_every_admin_change_form(demo):
    client = demo
    saved = []
    for model in admin.site._registry:
        obj = model.objects.order_by("pk").first()
        if obj is None:
            continue
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]
        )
        page = client.get(url)
        assert page.status_code == 200, url
        base = change_form_data(page)
        keys = text_keys(page.context["adminform"].form)
        for inline in page.context["inline_admin_formsets"]:
            for form in inline.formset.initial_forms:
                keys += text_keys(form)
        if not keys:
            continue
        for ch in (ALL,):
            data = {**base, **{k: dirty(ch, n) for n, k in enumerate(keys)}}
            response = client.post(url, data)
            assert response.status_code in (200, 302), (url, repr(ch))
            if response.status_code == 200:
                # Refused: each refusal is a message on its field; the rest saves.
                refused = error_keys(response.context)
                assert refused, (url, repr(ch), "200 without a message")
                data.update({k: base.get(k, "") for k in refused})
                response = client.post(url, data)
                assert response.status_code == 302, (url, repr(ch), error_keys(response.context))
        saved.append(model._meta.label)
    assert {"bulletins.Issue", "bulletins.Meeting", "tasks.Plan", "units.Unit"} <= set(saved)
    assert stored_controls() == []
    # The values did arrive (normalised), e.g. on the issue edited first.
    from bulletins.models import Issue

    assert "乙" in Issue.objects.order_by("pk").first().title


@pytest.mark.parametrize("ch", CONTROLS)
def test_search_and_filter_forms_never_answer_500(client_a, office_client, anon_client, ch):
    for client in (client_a, office_client, anon_client):
        for url in (reverse("search:search"), reverse("bulletins:issue_list")):
            assert client.get(url, {"q": dirty(ch, 1)}).status_code == 200
    for url in (reverse("tasks:assignment_list"), reverse("tasks:overview")):
        assert office_client.get(url, {"q": dirty(ch, 1)}).status_code == 200
