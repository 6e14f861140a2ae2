"""Account rules: the 产改办 group and its permissions."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission

from .models import OFFICE_GROUP

# Apps whose every permission the office needs; plus viewing and managing users.
OFFICE_APPS = ["units", "bulletins", "submissions", "tasks"]
OFFICE_EXTRA = [("accounts", "view_user"), ("accounts", "add_user"), ("accounts", "change_user")]


def ensure_office_group(*, using: str = "default") -> Group:
    """Create the 产改办 group if missing and grant it the office's permissions (idempotent)."""
    if not apps.is_installed("django.contrib.auth"):
        return None
    group, _ = Group.objects.using(using).get_or_create(name=OFFICE_GROUP)
    perms = list(Permission.objects.using(using).filter(content_type__app_label__in=OFFICE_APPS))
    for app_label, codename in OFFICE_EXTRA:
        perms.extend(
            Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename=codename
            )
        )
    group.permissions.add(*perms)
    return group
