"""The issue page (the frame of base.html and its content: toolbar, the document in the
official layout, the aside), written in Python.

Rendered by the template engine, the page spent more on its tags (a dozen
``{% translate %}``, ``{% url %}``, loops over articles and files) than on reading
the issue (issue 11). The markup is the template's, byte for byte; the labels and
the list's URL depend only on the script prefix and the language and are worked
out once per pair (``_fixed``); everything else is escaped here (``_escape``, what
``conditional_escape`` gives) or is an article body stored cleaned
(bulletins/reading.py).
"""

from __future__ import annotations

import html

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal import chrome
from portal.accounts.models import is_office
from portal.csrf import get_token

_memo: dict = {}


def _escape(value) -> str:
    """``conditional_escape(value)`` without its check for lazy arguments, which costs
    more than the escaping: markup (``__html__``) as it is, anything else through the
    standard library's ``html.escape``, as Django's ``escape`` does."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


@receiver(setting_changed, dispatch_uid="bulletins_issue_html_forget")
def _forget(**kwargs):
    _memo.clear()


class _Fixed:
    """What depends on nothing but the script prefix and the language."""

    def __init__(self):
        self.actions = escape(_("本期操作"))
        self.back = (
            f'<a class="doc-toolbar__back" href="{escape(reverse("bulletins:issue_list"))}">'
            f"{escape(_('← 简报列表'))}</a>"
        )
        self.not_signed = (
            '<a class="doc-toolbar__receipt badge badge--todo" href="#receipt-title">'
            f"{escape(_('本单位未签收'))}</a>"
        )
        self.signed = (
            '<span class="doc-toolbar__receipt badge badge--done">'
            f"{escape(_('本单位已签收'))}</span>"
        )
        self.edit = escape(_("在管理后台编辑、查看签收情况"))
        self.download = escape(_("下载 PDF"))
        self.official = (
            f'<span class="doc-toolbar__note">{escape(_("下载的是产改办上传的正式版 PDF"))}</span>'
        )
        self.internal = f'<p class="doc-classification">{escape(_("内部资料　注意保存"))}</p>'
        self.cc = escape(_("抄送："))
        self.receipt = escape(_("签收"))
        self.attachments = escape(_("附件"))
        self.meetings = escape(_("相关会议"))


def _fixed() -> _Fixed:
    key = (get_script_prefix(), get_language())
    fixed = _memo.get(key)
    if fixed is None:
        fixed = _memo[key] = _Fixed()
    return fixed


def issue_content(request, page: dict) -> SafeString:
    """The page's ``content`` block from the view's values (``page``), as the template had it."""
    fixed = _fixed()
    issue = page["issue"]
    e = _escape
    out = ["\n"]
    if page["banner"]:
        out.append(
            f'<p class="doc-banner doc-banner--{e(issue.status)} no-print" role="status">'
            f"{e(page['banner'])}</p>"
        )
    out.append("\n")
    if page["unprintable"]:
        chars = e(page["unprintable"])
        text = _(
            "PDF 中无法显示的字符（没有字体包含）：%(unprintable)s。请改用常用字或在 PDF 中另作说明。"
        )
        out.append(
            '<p class="doc-banner doc-banner--warning no-print" role="alert" '
            f'data-unprintable="{chars}">{text % {"unprintable": chars}}</p>'
        )
    out.append(
        f'\n\n<nav class="doc-toolbar no-print" aria-label="{fixed.actions}">\n  {fixed.back}\n  '
    )
    receipt = page["receipt"]
    if receipt:
        out.append(fixed.not_signed if page["can_acknowledge"] else fixed.signed)
    out.append("\n  ")
    if is_office(request.user):
        try:
            admin_url = chrome.url_with_ids("admin:bulletins_issue_change", issue.pk)
        except NoReverseMatch:
            admin_url = ""
        if admin_url:
            out.append(f'<a href="{e(admin_url)}">{fixed.edit}</a>')
    out.append(f'\n  <a class="button" href="{e(page["pdf_url"])}">{fixed.download}</a>\n  ')
    if issue.official_pdf:
        out.append(fixed.official)
    internal = page["is_internal"]
    out.append(
        "\n</nav>\n\n"
        '<div class="doc-layout">\n'
        f'<article class="doc{" doc--internal" if internal else ""}" aria-labelledby="doc-title">\n'
        "  "
    )
    if internal:
        out.append(fixed.internal)
    out.append(_document(page, fixed))
    out.append(_aside(request, page, fixed))
    out.append("\n")
    return mark_safe("".join(out))  # noqa: S308 (built from escaped parts and stored clean bodies)


def _document(page: dict, fixed: _Fixed) -> str:
    """From the masthead to the 版记 (GB/T 9704's reading area)."""
    e = _escape
    issue = page["issue"]
    out = [
        '\n  <header class="doc-masthead">\n    <h1 class="doc-masthead__name" id="doc-title">\n      '
    ]
    if page["masthead_org"]:
        out.append(f'<span class="doc-masthead__org">{e(page["masthead_org"])}</span>')
    out.append(
        f'\n      <span class="doc-masthead__kind">{e(page["masthead_kind"])}</span>\n    </h1>\n    '
    )
    number, total = page["number"], page["total_number"]
    if number or total:
        out.append(f'\n    <p class="doc-masthead__number">{e(number)}')
        if total:
            out.append(f'<span class="doc-masthead__total">（{e(total)}）</span>')
        out.append("</p>\n    ")
    office = e(issue.issuing_office)
    out.append(
        '\n    <p class="doc-masthead__meta">\n'
        f'      <span class="doc-masthead__office">{office}</span>\n'
        f'      <span class="doc-masthead__date">{e(page["issue_date"])}</span>\n'
        "    </p>\n  </header>\n\n  "
    )
    for article in page["articles"]:
        out.append(
            '\n  <section class="doc-article">\n'
            f'    <h2 class="doc-article__title">{e(article["title"])}</h2>\n'
            f'    <div class="doc-body">{e(article["body"])}</div>\n'
            "  </section>\n  "
        )
    out.append('\n\n  <footer class="doc-colophon">\n    ')
    if page["distribution"]:
        out.append(
            '\n    <p class="doc-colophon__cc">'
            f'<span class="doc-colophon__label">{fixed.cc}</span>'
            f'<span class="doc-colophon__units">{e(page["distribution"])}</span></p>\n    '
        )
    out.append(
        '\n    <p class="doc-colophon__printed">\n'
        f"      <span>{office}</span>\n"
        f"      <span>{e(page['printed'])}</span>\n"
        "    </p>\n  </footer>\n</article>\n\n"
    )
    return "".join(out)


def _aside(request, page: dict, fixed: _Fixed) -> str:
    """签收, the downloads and the meetings beside the document."""
    e = _escape
    out = ['<div class="doc-aside no-print">\n  ']
    receipt = page["receipt"]
    if receipt:
        out.append(
            '\n  <section class="card doc-receipt" aria-labelledby="receipt-title">\n'
            f'    <h2 id="receipt-title">{fixed.receipt}</h2>\n    '
        )
        if page["can_acknowledge"]:
            unit = getattr(getattr(request.user, "unit", None), "name", "") or ""
            action = chrome.url_with_ids("bulletins:issue_acknowledge", page["issue"].pk)
            token = e(get_token(request))
            out.append(
                f"\n      <p>{_('请确认%(unit)s已收到本期简报。') % {'unit': e(unit)}}</p>\n"
                f'      <form method="post" action="{e(action)}">'
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">\n'
                f'        <button type="submit" class="button">{fixed.receipt}</button>\n'
                "      </form>\n    "
            )
        else:
            by = receipt.acknowledged_by
            done = _("已签收（%(when)s，%(name)s）") % {
                "when": e(page["acknowledged_at"]),
                "name": e(by.display_name) if by else "",
            }
            out.append(f'\n      <p class="doc-receipt__done">{done}</p>\n    ')
        out.append("\n  </section>\n  ")
    out.append("\n\n  ")
    if page["attachments"]:
        out.append(
            '\n  <section class="card doc-attachments" aria-labelledby="attachments-title">\n'
            f'    <h2 id="attachments-title">{fixed.attachments}</h2>\n'
            '    <ul class="file-list">\n      '
        )
        for attachment in page["attachments"]:
            out.append(
                f'\n      <li><a href="{e(attachment["url"])}" download>{e(attachment["name"])}</a>\n'
                '        <span class="file-list__size">'
                f"{e(filesizeformat(attachment['size']))}</span></li>\n      "
            )
        out.append("\n    </ul>\n  </section>\n  ")
    out.append("\n\n  ")
    if page["meetings"]:
        out.append(
            '\n  <section class="card doc-meetings" aria-labelledby="meetings-title">\n'
            f'    <h2 id="meetings-title">{fixed.meetings}</h2>\n'
            "    <ul>\n      "
        )
        for row in page["meetings"]:
            meeting = row["meeting"]
            url = chrome.url_with_ids("bulletins:meeting_detail", meeting.pk)
            out.append(
                f'\n      <li><a href="{e(url)}">{e(meeting.title)}</a> '
                f'<span class="muted">{e(row["date"])}</span></li>\n      '
            )
        out.append("\n    </ul>\n  </section>\n  ")
    out.append("\n</div>\n</div>")
    return "".join(out)


def issue_page(request, page: dict) -> SafeString:
    """The whole issue page, as templates/bulletins/issue_detail.html renders it (the
    frame of base.html, bulletins/base.html's style sheet, the title, ``issue_content``)."""
    issue = page["issue"]
    return chrome.page(
        request,
        title=f"{issue.series.name} {page['number_label']} · {settings.SITE_NAME}",
        body_class="page-bulletin",
        extra_head=f'<link rel="stylesheet" href="{chrome.static_url("css/bulletin.css")}">',
        content=issue_content(request, page),
    )
