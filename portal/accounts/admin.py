from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.text import CleanFormField

from .models import User
from .roles import ADMIN_ROLES

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
        (_("账号安全"), {"fields": ("must_change_password", "password_changed_at")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["password_changed_at"]
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "unit", "password1", "password2")}),
    )
    # 三员分立 (portal/accounts/roles.py): only a superuser grants superuser status,
    # single permissions or the administrator roles, or edits those accounts.

    def _restricted(self, request) -> bool:
        return not request.user.is_superuser

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._restricted(request) or obj is None:
            return fieldsets
        hidden = {"is_superuser", "user_permissions"}
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in fieldsets
        ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self._restricted(request):
            queryset = queryset.filter(is_superuser=False).exclude(groups__name__in=ADMIN_ROLES)
            if request.user.pk:
                queryset = queryset | super().get_queryset(request).filter(pk=request.user.pk)
        return queryset

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and self._restricted(request):
            kwargs["queryset"] = Group.objects.exclude(name__in=ADMIN_ROLES)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
