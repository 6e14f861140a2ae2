"""三员分立: the three administrator roles of 等保 2.0, each with least privilege.

- 系统管理员 (system administrator): accounts and units in the admin; no content,
  no audit trail, cannot make anyone superuser or grant roles of the other two.
- 安全管理员 (security administrator): lock-outs (release), sessions (sign an
  account out everywhere), reads accounts; no content, no audit trail.
- 审计管理员 (auditor): reads and exports the audit trail, nothing else.

The office's content work stays with 产改办 (``services.ensure_office_group``).
A superuser bypasses every role: keep it for installation and emergencies.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

SYSTEM_ADMIN = "系统管理员"
SECURITY_ADMIN = "安全管理员"
AUDITOR = "审计管理员"
ADMIN_ROLES = (SYSTEM_ADMIN, SECURITY_ADMIN, AUDITOR)

# (app label, codename) of each role's permissions.
ROLE_PERMISSIONS = {
    SYSTEM_ADMIN: [
        ("accounts", "view_user"),
        ("accounts", "add_user"),
        ("accounts", "change_user"),
        ("units", "view_unit"),
        ("units", "add_unit"),
        ("units", "change_unit"),
        ("auth", "view_group"),
    ],
    SECURITY_ADMIN: [
        ("accounts", "view_user"),
        ("accounts", "manage_security"),
        ("axes", "view_accessattempt"),
        ("axes", "delete_accessattempt"),
        ("axes", "view_accesslog"),
        ("axes", "view_accessfailurelog"),
    ],
    AUDITOR: [
        ("audit", "view_auditentry"),
        ("audit", "export_auditentry"),
    ],
}


def ensure_role_groups(*, using: str = "default") -> dict[str, Group]:
    """Create the three role groups if missing and set exactly their permissions
    (idempotent). Returns ``{role name: Group}``."""
    if not apps.is_installed("django.contrib.auth"):
        return {}
    groups = {}
    for name, pairs in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        wanted = Q(pk__in=[])
        for app_label, codename in pairs:
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.using(using).filter(wanted))
        groups[name] = group
    return groups


def has_role(user, role: str) -> bool:
    """True when the active ``user`` is in the role's group (superusers are not)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.groups.filter(name=role).exists()
