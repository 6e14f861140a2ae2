"""Site-wide template tags: navigation links contributed by the apps."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import acting_unit_id, is_office
from portal.accounts.services import can_manage_security
from portal.audit.views import can_view_audit

register = template.Library()

# (url name, label, who: "all" | "member" (acting for a unit) | "office" | "audit" |
# "security").
NAV_LINKS = [
    ("bulletins:issue_list", _("简报"), "all"),
    ("bulletins:meeting_list", _("会议纪要"), "all"),
    ("submissions:list", _("信息报送"), "member"),
    ("submissions:list", _("信息报送"), "office"),
    ("tasks:assignment_list", _("我的任务"), "member"),
    ("tasks:overview", _("任务总览"), "office"),
    ("search:search", _("搜索"), "all"),
    ("audit:entry_list", _("审计日志"), "audit"),
    ("accounts:security", _("安全管理"), "security"),
]


@register.simple_tag(takes_context=True)
def nav_links(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    links = []
    for name, label, who in NAV_LINKS:
        if who == "member" and not acting_unit_id(user):
            continue
        if who == "office" and not is_office(user):
            continue
        # Administrator roles are staff accounts: no permission query for the others.
        staff = getattr(user, "is_staff", False)
        if who == "audit" and not (staff and can_view_audit(user)):
            continue
        if who == "security" and not (staff and can_manage_security(user)):
            continue
        links.append({"url": reverse(name), "label": label, "current": current == name})
    return links
