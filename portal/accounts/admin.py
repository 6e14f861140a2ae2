from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.text import CleanFormField

from .models import User

admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    # Django's own Group.name is a plain CharField: normalise what the form brings in
    # (portal/text.py), as the project's models do themselves.
    formfield_overrides = {models.CharField: {"form_class": CleanFormField, "multiline": False}}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "unit", "email", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "is_unit_leader", "groups", "unit__kind", "unit"]
    search_fields = ["username", "first_name", "last_name", "email", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("last_name", "first_name", "email", "unit", "is_unit_leader")}),
        (
            _("权限"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "unit", "password1", "password2")}),
    )
