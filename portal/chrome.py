"""The frame every page shares (``templates/base.html``): header, navigation, footer.

Built in Python rather than with ``{% url %}``, ``{% translate %}`` and an included
navigation template: rendered that way the frame cost as much as a whole hello-world
page (issue 11). What never changes while the process runs — the URLs of routes
without arguments, the translated labels, the static files' URLs — is worked out once
per (script prefix, language) and kept (``_fixed``; a changed setting, in tests,
forgets it); what depends on the request (the user and their roles, the current page,
the sign-in link's ``next``, the CSRF token) is put together per request from escaped
parts.
"""

from __future__ import annotations

import html
from urllib.parse import quote

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import acting_unit_id, is_office
from portal.accounts.services import can_manage_security
from portal.audit.views import can_view_audit

# The navigation after 首页: (url name, label, who), who being "all", "member" (acting
# for a unit), "office", "audit" (the audit role) or "security" (the security
# administrator).
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

_CURRENT = ' aria-current="page"'
_memo: dict = {}
_url_memo: dict = {}


@receiver(setting_changed, dispatch_uid="portal_chrome_forget")
def _forget(**kwargs):
    _memo.clear()
    _url_memo.clear()


class _Fixed:
    """The frame's parts that depend on nothing but the script prefix and the language."""

    def __init__(self):
        site = escape(settings.SITE_NAME)
        home = escape(reverse("home"))
        self.styles = (
            f'<link rel="stylesheet" href="{escape(static("css/portal.css"))}">\n'
            f'  <link rel="stylesheet" href="{escape(static("css/print.css"))}" media="print">'
        )
        self.session_attrs = (
            f' data-idle-timeout="{int(getattr(settings, "SESSION_IDLE_TIMEOUT", 1800))}"'
            f' data-keepalive="{escape(reverse("accounts:keepalive"))}"'
        )
        self.top = (
            f'<a class="skip-link" href="#main">{escape(_("跳到正文"))}</a>\n'
            '  <header class="site-header">\n'
            '    <div class="site-header__inner">\n'
            f'      <a class="site-brand" href="{home}">{site}</a>\n'
            f'      <nav class="site-nav" aria-label="{escape(_("主导航"))}">\n'
            "        <ul>\n"
            f'          <li><a href="{home}"'
        )
        self.home_label = f">{escape(_('首页'))}</a></li>\n"
        # (view name, who, the item, the item marked as the current page)
        self.links = []
        for name, label, who in NAV_LINKS:
            start = f'          <li><a href="{escape(reverse(name))}"'
            end = f">{escape(label)}</a></li>\n"
            self.links.append((name, who, start + end, start + _CURRENT + end))
        self.admin = (
            f'          <li><a href="{escape(reverse("admin:index"))}">'
            f"{escape(_('管理后台'))}</a></li>\n"
        )
        try:
            search = reverse("search:search")
        except NoReverseMatch:
            search = None
        form = (
            f'      <form class="site-search" role="search" method="get" action="{escape(search)}">\n'
            f'        <input type="search" name="q" aria-label="{escape(_("全站搜索"))}"'
            f' placeholder="{escape(_("站内搜索"))}" maxlength="100">\n'
            f'        <button type="submit">{escape(_("搜索"))}</button>\n'
            "      </form>\n"
            if search
            else ""
        )
        self.after_nav = f'        </ul>\n      </nav>\n{form}      <div class="site-user">\n'
        self.account = (
            f'        <a href="{escape(reverse("password_change"))}">{escape(_("修改密码"))}</a>\n'
            f'        <a href="{escape(reverse("accounts:two_factor"))}">'
            f"{escape(_('账号安全'))}</a>\n"
            f'        <form method="post" action="{escape(reverse("logout"))}" class="inline-form">'
        )
        self.sign_out = (
            f'\n          <button type="submit" class="link-button">{escape(_("退出"))}</button>\n'
            "        </form>\n"
        )
        self.sign_in = f'        <a href="{escape(reverse("login"))}?next='
        self.sign_in_label = f'">{escape(_("登录"))}</a>\n'
        self.end = "      </div>\n    </div>\n  </header>"
        self.idle = (
            '<div class="idle-warning" role="alert" hidden>\n'
            f"    {escape(_('您已较长时间未操作，将在一分钟后自动退出。'))}\n"
            f'    <button type="button" class="button">{escape(_("继续使用"))}</button>\n'
            "  </div>\n"
            f'  <script src="{escape(static("js/idle.js"))}" defer></script>\n  '
        )
        self.footer = (
            '<footer class="site-footer">\n'
            f"    <p>{escape(_('工投集团公司产改领导小组办公室'))} · {site}</p>\n"
            "  </footer>"
        )


def _fixed() -> _Fixed:
    key = (get_script_prefix(), get_language())
    try:
        return _memo[key]
    except KeyError:
        fixed = _memo[key] = _Fixed()
        return fixed


def _request_and_user(context):
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    return request, user


def styles() -> SafeString:
    """The site's two style sheets' ``<link>`` elements (screen and print)."""
    return mark_safe(_fixed().styles)  # noqa: S308 (built from escaped parts)


def session_attrs(context) -> SafeString:
    """The ``<body>`` attributes of a signed-in page: the idle sign-out's timeout and
    keep-alive address (``static/js/idle.js``); nothing for anonymous visitors."""
    _, user = _request_and_user(context)
    return mark_safe(_fixed().session_attrs if user else "")  # noqa: S308 (built from escaped parts)


def _nav(fixed: _Fixed, request, user) -> list[str]:
    match = getattr(request, "resolver_match", None)
    current = getattr(match, "view_name", "")
    parts = [
        fixed.top,
        _CURRENT if getattr(match, "url_name", "") == "home" else "",
        fixed.home_label,
    ]
    staff = user is not None and user.is_staff
    member = office = None  # asked once each, when a link needs them
    for name, who, item, current_item in fixed.links:
        if who == "member":
            if member is None:
                member = bool(acting_unit_id(user))
            if not member:
                continue
        elif who == "office":
            if office is None:
                office = is_office(user)
            if not office:
                continue
        elif who == "audit" and not (staff and can_view_audit(user)):
            continue
        elif who == "security" and not (staff and can_manage_security(user)):
            continue
        parts.append(current_item if name == current else item)
    if staff:
        parts.append(fixed.admin)
    return parts


def _header_html(fixed: _Fixed, request, user, token) -> str:
    """``header``'s markup for ``user`` (None: anonymous); ``token()`` gives the CSRF
    token for the sign-out form ("" or "NOTPROVIDED": no hidden field), asked for only
    when a signed-in user's form is written."""
    parts = _nav(fixed, request, user)
    parts.append(fixed.after_nav)
    if user is not None:
        unit = user.unit if user.unit_id else None
        name = escape(user.display_name) + (f" · {escape(unit.display_name)}" if unit else "")
        token = token()
        csrf = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'
            if token and token != "NOTPROVIDED"
            else ""
        )
        parts += [
            f'        <span class="site-user__name">{name}</span>\n',
            fixed.account,
            csrf,
            fixed.sign_out,
        ]
    else:
        path = request.get_full_path() if request is not None else ""
        parts += [fixed.sign_in, escape(quote(path)), fixed.sign_in_label]
    parts.append(fixed.end)
    return "".join(parts)


def header(context) -> SafeString:
    """The skip link and the site header: brand, navigation (the links the user's roles
    reach, the current page marked), search box, and the account links or the sign-in
    link that comes back to this page."""
    request, user = _request_and_user(context)

    def token():
        value = context.get("csrf_token")
        return str(value) if value else ""

    return mark_safe(_header_html(_fixed(), request, user, token))  # noqa: S308 (escaped parts)


def footer(context) -> SafeString:
    """The idle sign-out's warning and script (signed-in pages) and the site footer."""
    fixed = _fixed()
    _, user = _request_and_user(context)
    return mark_safe((fixed.idle if user else "") + fixed.footer)  # noqa: S308 (built from escaped parts)


_ID_PLACEHOLDER = 9_876_543_210


def url_parts(name: str) -> tuple[str, str]:
    """The text before and after the id in ``reverse(name, args=[id])``, for a route
    whose one argument is an ``<int:…>``: reversed once per script prefix and kept."""
    key = (get_script_prefix(), name)
    try:
        return _url_memo[key]
    except KeyError:
        url = reverse(name, args=[_ID_PLACEHOLDER])
        before, _placeholder, after = url.partition(str(_ID_PLACEHOLDER))
        parts = _url_memo[key] = before, after
        return parts


def url_with_id(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` without resolving the route again (``url_parts``)."""
    before, after = url_parts(name)
    return f"{before}{int(pk)}{after}"


def url_with_ids(name: str, *pks: int) -> str:
    """``reverse(name, args=pks)`` for a route whose arguments are integer ids
    (``<int:…>``, or the admin's ``<path:object_id>`` given an int), the text around
    them reversed once per script prefix and kept. Raises ``NoReverseMatch`` as
    ``reverse`` does."""
    key = (get_script_prefix(), name, len(pks))
    try:
        parts = _url_memo[key]
    except KeyError:
        marks = [str(_ID_PLACEHOLDER + n) for n in range(len(pks))]
        rest = reverse(name, args=[int(mark) for mark in marks])
        parts = []
        for mark in marks:
            before, _mark, rest = rest.partition(mark)
            parts.append(before)
        parts.append(rest)
        parts = _url_memo[key] = tuple(parts)
    out = [parts[0]]
    for pk, after in zip(pks, parts[1:], strict=True):
        out += [str(int(pk)), after]
    return "".join(out)


# --- The whole frame (templates/base.html) for pages written in Python -----------------


def static_url(path: str) -> str:
    """``{% static path %}`` as a template writes it (escaped), looked up once per
    process (the manifest does not change while it runs; a changed setting forgets it)."""
    key = ("static", get_script_prefix(), path)
    try:
        return _url_memo[key]
    except KeyError:
        url = _url_memo[key] = escape(static(path))
        return url


def messages_html(request) -> str:
    """base.html's ``{% if messages %}`` block: the request's messages as a list (they
    count as shown, as when the template loops over them), or "" when there are none."""
    from django.contrib.messages import get_messages

    messages = get_messages(request)
    if not messages:
        return ""
    items = "".join(
        f'<li class="message message--{conditional_escape(message.tags)}">'
        f"{conditional_escape(message)}</li>"
        for message in messages
    )
    return f'\n      <ul class="messages">\n        {items}\n      </ul>\n    '


def _text(value) -> str:
    """``conditional_escape(value)`` as text, without its check for lazy arguments:
    markup (``__html__``) as it is, anything else through ``html.escape`` (what
    Django's ``escape`` does)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def page(
    request, *, title: str, content: str, body_class: str = "", extra_head: str = ""
) -> SafeString:
    """The HTML document ``templates/base.html`` makes of a page's blocks, character for
    character: ``title`` as plain text (escaped here), ``body_class`` likewise;
    ``extra_head`` and ``content`` as markup, already safe (escaped parts). The
    header, footer and the idle sign-out's attributes as the template tags write them,
    from the same values (the request, its user, the CSRF token, asked for only when
    the header shows a signed-in user's sign-out form), each looked up once."""
    language = get_language()
    key = (get_script_prefix(), language)
    fixed = _memo.get(key)
    if fixed is None:
        fixed = _memo[key] = _Fixed()
    user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None

    def token():
        from portal.csrf import get_token

        return get_token(request) or ""

    return mark_safe(  # noqa: S308 (built from escaped parts and the caller's safe markup)
        "<!DOCTYPE html>\n"
        f'<html lang="{_text(language or "zh-hans")}">\n'
        "<head>\n"
        '  <meta charset="utf-8">\n'
        '  <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"  <title>{_text(title)}</title>\n"
        f"  {fixed.styles}\n"
        f"  {extra_head}\n"
        "</head>\n"
        "\n"
        f'<body class="{_text(body_class)}"{fixed.session_attrs if user else ""}>\n'
        f"  {_header_html(fixed, request, user, token)}\n"
        '  <main id="main" class="site-main">\n'
        f"    {messages_html(request)}\n"
        f"    {content}\n"
        "  </main>\n"
        f"  {fixed.idle if user else ''}{fixed.footer}\n"
        "</body>\n"
        "</html>\n"
    )
