"""Every form of the project, found automatically (so a new form is covered the day it
lands): each text field fed the six control characters gives a clean value or a Chinese
message, never the character itself (portal/text.py)."""

import copy
import importlib
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import get_resolver
from django.utils import translation

from bulletins.html import RichTextField
from portal.text import CleanCharField, CleanTextField

from .test_control_characters_in import ALL, PROJECT_APPS, dirty
from .test_text import CONTROLS, has_control

PACKAGES = ("bulletins", "tasks", "portal")
# Fields that only read (never stored or written out) and resolve the characters
# themselves: the search box (portal/search/text.py parse_query drops them).
READ_ONLY = {"portal.search.forms.SearchForm.q"}


def project_forms() -> list[type[forms.BaseForm]]:
    """Every Form and ModelForm class defined in the project's packages."""
    assert get_resolver().url_patterns  # imports every view module (and the forms they use)
    for package in PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if info.name.rsplit(".", 1)[-1] in {"forms", "admin_forms", "filters", "admin"}:
                importlib.import_module(info.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith(tuple(f"{p}." for p in PACKAGES)):
            found.append(cls)
    return found


def text_fields(form_class) -> list[tuple[str, forms.Field]]:
    return [
        (name, field)
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.CharField)
        and not field.disabled
        and not isinstance(field.widget, forms.PasswordInput | forms.HiddenInput)
        and f"{form_class.__module__}.{form_class.__qualname__}.{name}" not in READ_ONLY
    ]


def test_the_walk_finds_the_forms_of_every_app():
    names = {f"{c.__module__}.{c.__qualname__}" for c in project_forms()}
    for expected in (
        "bulletins.admin_forms.IssueAdminForm",
        "bulletins.submissions.forms.SubmissionForm",
        "bulletins.submissions.forms.UpwardForm",
        "tasks.forms.ExtensionRequestForm",
        "tasks.forms.ExtensionDecisionForm",
        "tasks.forms.DecisionForm",
        "portal.search.forms.SearchForm",
    ):
        assert expected in names


@pytest.mark.django_db
@pytest.mark.parametrize("ch", [*CONTROLS, ALL])
def test_every_text_field_of_every_form_normalises_or_refuses(ch):
    checked, leaks = 0, []
    with translation.override("zh-hans"):
        for form_class in project_forms():
            for name, field in text_fields(form_class):
                try:
                    value = field.clean(dirty(ch, 1))
                except ValidationError as exc:
                    # Refused: the message is Chinese, not Django's English default.
                    assert all(any("\u4e00" <= c <= "\u9fff" for c in m) for m in exc.messages), (
                        form_class,
                        name,
                        exc.messages,
                    )
                    continue
                finally:
                    checked += 1
                if isinstance(value, str) and has_control(value):
                    leaks.append(f"{form_class.__module__}.{form_class.__qualname__}.{name}")
    assert checked > 20
    assert leaks == []


# Stored text no person or file brings in (hashes, sniffed content types, the password
# hash), or that Django's own validators limit to a few printable characters (user
# names: letters, digits and @.+-_; permission code names; auth.Group, whose admin page
# the in-test posts).
SYSTEM_TEXT = {
    "accounts.User.username",
    "accounts.User.password",
    "accounts.PasswordHistory.password",
    "auth.Permission.name",
    "auth.Permission.codename",
    "auth.Group.name",
    "tasks.Evidence.content_type",
    "tasks.Evidence.sha256",
    "tasks.ExtensionRequest.evidence_type",
    "tasks.CalendarToken.token_hash",
}
# Slugs and e-mail addresses are refused unless printable; rich text is sanitised
# (bulletins/html.py, normalize_text first) on save.
CHECKED_ELSEWHERE = models.SlugField | models.EmailField | RichTextField


def test_every_text_field_of_every_model_is_a_clean_field():
    """A new model's text field is normalised on every write path, or is listed above."""
    plain = []
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__module__.startswith("django.") or "historical" in model.__name__.lower():
                continue
            for field in model._meta.concrete_fields:
                name = f"{model._meta.label}.{field.name}"
                if (
                    isinstance(field, models.CharField | models.TextField)
                    and not isinstance(field, CleanCharField | CleanTextField | CHECKED_ELSEWHERE)
                    and field.editable
                    and not field.choices
                    and name not in SYSTEM_TEXT
                ):
                    plain.append(name)
    assert plain == [], plain


def project_filtersets() -> list[type]:
    """Every django-filter FilterSet of the project (list pages' filters, the audit page's)."""
    import django_filters

    project_forms()  # imports every filters module
    found, todo = [], [django_filters.FilterSet]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith(tuple(f"{p}." for p in PACKAGES)):
            found.append(cls)
    return found


@pytest.mark.django_db
def test_no_filter_lets_a_nul_reach_the_database():
    """PostgreSQL refuses NUL in a query (a 500): every text filter refuses or drops it."""
    names = {f"{c.__module__}.{c.__qualname__}" for c in project_filtersets()}
    assert "portal.audit.filters.AuditEntryFilter" in names
    checked = 0
    for filterset in project_filtersets():
        for name, flt in filterset.base_filters.items():
            # A copy: ``Filter.field`` caches the field it builds, and a field cached on
            # the class's base filter would keep the choices of this moment for every
            # later request of the process (a FilterSet fills some choices per request).
            field = copy.deepcopy(flt).field
            if not isinstance(field, forms.CharField):
                continue
            checked += 1
            try:
                value = field.clean("甲\x00乙")
            except ValidationError:
                continue
            assert "\x00" not in str(value), (filterset, name)
    assert checked >= 2
