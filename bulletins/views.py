"""Reading area: issue list and year archive, one issue in the official layout, its files, 签收, meetings.

Every view starts from ``visible_to(request.user)``; what a user may not see
answers 404, never 403.
"""

import mimetypes
import os
from functools import lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import DateField, Exists, OuterRef
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from portal.accounts.models import acting_unit_id, is_office
from portal.audit.services import get_or_refuse, record
from portal.chrome import url_with_ids
from portal.files import download_response
from portal.kept_sql import Param, kept_query
from portal.pagination import page_of, pagination_html

from . import pdf
from .filters import IssueFilter
from .html import page_html
from .issue_html import issue_page
from .layout import (
    chinese_date,
    chinese_datetime,
    distribution_text,
    masthead_lines,
    number_label,
    printed_text,
    total_number_label,
)
from .list_html import (
    ISSUE_ROW_FIELDS,
    content_html,
    empty_filter_form_html,
    list_page,
    rows_html,
    title_html,
    year_links_html,
)
from .models import Attachment, Issue, Meeting, ReadReceipt, Visibility, issue_audience
from .panels import meeting_panels
from .reading import reading_copy
from .receipts import acknowledge_issue, record_attachment_download, record_view
from .visible_issue import visible_issue
from .year_counts import list_counts

PAGE_SIZE = 20
MEETINGS_PAGE_SIZE = 20
# Served inline only as these; anything else (SVG above all) never renders in the page.
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


# --- helpers -------------------------------------------------------------------


def _keep_private(response, request, *, public: bool = False):
    """Shared caches must not keep what a signed-in user or a non-public issue shows."""
    if request.user.is_authenticated or not public:
        response["Cache-Control"] = "private, no-cache"
    return response


def _rich_text(text: str):
    """Stored rich text as the page shows it (``page_html``), ready for the template."""
    return mark_safe(page_html(text))  # noqa: S308 (sanitised just before)


def _open_private(field):
    if not field:
        raise Http404(_("文件不存在。"))
    try:
        return field.storage.open(field.name, "rb")
    except OSError as exc:  # missing from the store: say so, not a 500
        raise Http404(_("文件不存在。")) from exc


def _preview_banner(issue) -> str:
    """What office staff see above an issue readers cannot see yet (or any more)."""
    status = Issue.Status
    if issue.status == status.DRAFT:
        return _("草稿预览：本期尚未发布，成员单位和公众看不到。")
    if issue.status == status.SCHEDULED:
        when = chinese_datetime(issue.publish_at)
        return _("定时发布预览：本期将于 %(when)s 自动发布，此前读者看不到。") % {"when": when}
    if issue.status == status.WITHDRAWN:
        when = chinese_datetime(issue.withdrawn_at)
        return _("已撤回：本期已于 %(when)s 撤回，读者看不到，仅工作人员可见。") % {"when": when}
    return ""


def _download_name(attachment) -> str:
    if attachment.original_name:
        return attachment.original_name
    ext = os.path.splitext(attachment.file.name)[1]
    return f"{attachment.title or _('附件')}{ext}"


# --- issues ----------------------------------------------------------------------


# From this row on, a page reads its ids first (see _page_rows, _list_query).
DEEP_OFFSET = 200


def _page_rows(page):
    """The page's rows (``values()`` of ``ISSUE_ROW_FIELDS``) of a filtered list, in
    order. Deep pages read their ids first from the list's index alone (an OFFSET
    walks index entries, not rows), then those twenty rows."""
    if page.start_index() <= DEEP_OFFSET:
        return list(page.object_list.values(*ISSUE_ROW_FIELDS))
    # (the issues alone: the series' name would join a table the order does not need)
    ids = list(page.object_list.values_list("pk", flat=True))
    by_id = {row["pk"]: row for row in Issue.objects.filter(pk__in=ids).values(*ISSUE_ROW_FIELDS)}
    return [by_id[pk] for pk in ids]


def _list_query(user, *, in_year: bool, deep: bool, seek: bool, unit_id: int | None):
    """The unfiltered list's page query (``portal.kept_sql``), compiled once per what it
    depends on: the reader's ``issue_audience`` (all ``Issue.visible_to`` branches on),
    the unit acted for (``ReadReceipt.visible_to``'s, for the 签收 column), a year's
    archive or not, a deep page or not, from a year of issue date on or not. Run with
    ``{"year": …}`` (``in_year``) and the page's ``limit`` and ``offset`` (as values when
    ``deep``), and the last issue date to start from (``{"until": "2019-12-31"}``, when
    ``seek``); its rows are ``ISSUE_ROW_FIELDS`` and, for a unit, ``acknowledged`` (the
    unit signed for the issue).

    A deep page reads its twenty ids from the list's index alone in a subquery (an
    OFFSET walks index entries, not rows), then only those rows: one statement. With
    ``seek``, the walk starts at the first issue dated ``until`` or earlier, the
    offset counted from there (``_seek``)."""

    def build():
        visible = Issue.objects.visible_to(user).published()
        if in_year:
            visible = visible.filter(year=Param("year"))
        rows = visible
        if deep:
            ids = visible
            if seek:
                ids = ids.filter(issue_date__lte=Param("until", DateField()))
            ids_sql, ids_params = ids.values("pk").query.get_compiler(using=ids.db).as_sql()
            # (the issues alone: the series' name would join a table the order does not need)
            rows = visible.filter(
                pk__in=RawSQL(
                    f"{ids_sql} LIMIT %s OFFSET %s", (*ids_params, Param("limit"), Param("offset"))
                )
            )
        fields = ISSUE_ROW_FIELDS
        if unit_id:
            rows = rows.annotate(
                acknowledged=Exists(
                    ReadReceipt.objects.visible_to(user).filter(
                        issue=OuterRef("pk"), acknowledged_at__isnull=False
                    )
                )
            )
            fields = (*fields, "acknowledged")
        return rows.values(*fields)

    key = ("bulletins.issue_list", issue_audience(user), unit_id, in_year, deep, seek)
    return kept_query(key, build)


def _seek(by_issue_year: dict[int, int], offset: int) -> tuple[str | None, int]:
    """Where row ``offset`` of the list (0 = the first) starts to be found: the last day
    of the year of issue date it is in (ISO text) and its offset among the issues dated
    that day or earlier, from the stored counts per year of issue date (0: no date;
    ``list_counts``). The list's first order is the issue date, newest first, so every
    issue of a later year comes before. ``(None, offset)`` when some issue has no date
    (where those fall differs between databases) or the offset lies past the counts."""
    if by_issue_year.get(0):
        return None, offset
    before = 0
    for issue_year in sorted(by_issue_year, reverse=True):
        count = by_issue_year[issue_year]
        if offset < before + count:
            return f"{issue_year:04d}-12-31", offset - before
        before += count
    return None, offset


def _list_rows(user, page, counts, *, year: int | None, unit_id: int | None) -> list[dict]:
    """The rows of ``page`` of the unfiltered list (``_list_query``), in order; ``counts``
    the ``list_counts`` of the list."""
    offset = (page.number - 1) * PAGE_SIZE
    values = {"year": year}
    if offset < DEEP_OFFSET:
        query = _list_query(user, in_year=year is not None, deep=False, seek=False, unit_id=unit_id)
        return query.dicts(values, limit=PAGE_SIZE, offset=offset)
    until, offset = _seek(counts.by_issue_year, offset)
    query = _list_query(
        user, in_year=year is not None, deep=True, seek=until is not None, unit_id=unit_id
    )
    return query.dicts({**values, "until": until, "limit": PAGE_SIZE, "offset": offset})


def _issue_list(request, *, year=None):
    # The years' counts and the series offered, from the stored counts.
    listed = list_counts(request.user, year)
    counts, series = listed.by_year, listed.series
    if year is not None and year not in counts:
        raise Http404(_("该年度没有简报。"))
    unit_id = acting_unit_id(request.user)
    names = [n for n in IssueFilter.base_filters if (n != "year" or year is None)]
    if not unit_id:
        names.remove("awaiting")
    if any(name in request.GET for name in names):
        visible = Issue.objects.visible_to(request.user).published()
        base = visible if year is None else visible.filter(year=year)
        filterset = IssueFilter(
            request.GET, queryset=base, request=request, years=list(counts), series=series
        )
        if year is not None:
            del filterset.filters["year"]
        # An invalid filter value narrows to nothing rather than being ignored.
        valid = filterset.is_valid()
        issues = filterset.qs if valid else base.none()
        # (an unticked box, False, narrows nothing either)
        unfiltered = valid and not any(
            value not in (None, "", False) for value in filterset.form.cleaned_data.values()
        )
        form_fields = None
    else:
        # Nothing asked for: no form to validate, its empty fields written directly.
        filterset = None
        form_fields = empty_filter_form_html(
            series=series,
            years=[(y, str(y)) for y in counts],
            with_year=year is None,
            awaiting=bool(unit_id),
        )
    acknowledged = set()
    if filterset is None:
        # The stored year counts say how many issues there are; the rows come from SQL
        # compiled once per audience, the unit's 签收 with them.
        total = counts[year] if year is not None else sum(counts.values())
        page = page_of(request, [], PAGE_SIZE, count=total)
        rows = page.object_list = _list_rows(request.user, page, listed, year=year, unit_id=unit_id)
        acknowledged = {row["pk"] for row in rows if row.get("acknowledged")}
    else:
        # A valid filter asking for nothing lists as many as the stored counts say.
        total = (counts[year] if year is not None else sum(counts.values())) if unfiltered else None
        page = page_of(request, issues, PAGE_SIZE, count=total)
        rows = page.object_list = _page_rows(page)
        if unit_id and rows:
            acknowledged = set(
                ReadReceipt.objects.visible_to(request.user)
                .filter(issue__in=[row["pk"] for row in rows], acknowledged_at__isnull=False)
                .values_list("issue_id", flat=True)
            )
    is_filtered = any(v for k, v in request.GET.items() if k in names)
    if form_fields is None:  # a filled-in form: its fields, errors included
        form_fields = render_to_string(
            "bulletins/includes/filter_fields.html", {"filter": filterset}
        )
    content = content_html(
        year=year,
        year_links=year_links_html(counts, year),
        form_fields=form_fields,
        is_filtered=is_filtered,
        path=request.path,
        rows=rows_html(
            rows, shows_ack=bool(unit_id), acknowledged=acknowledged, is_filtered=is_filtered
        ),
        pagination=pagination_html(request, page),
    )
    # templates/bulletins/issue_list.html on base.html, written in Python (list_html.list_page).
    page_values = {
        "title": mark_safe(title_html(year)),  # noqa: S308 (escaped as the template did)
        "content": content,
        # (what the test of the markup renders the old template from)
        "filter": filterset,
        "page": page,
        "rows": rows,
        "counts": counts,
        "year": year,
        "is_filtered": is_filtered,
    }
    response = HttpResponse(list_page(request, page_values))
    return _keep_private(response, request, public=True)


@require_safe
def issue_list(request):
    return _issue_list(request)


@require_safe
def year_archive(request, year):
    return _issue_list(request, year=year)


def _unit_names(issue):
    """The 抄送 units' names, read only if asked for (a 抄送 line, when given, is printed
    instead): a generator function, whose query waits for the first ``next``."""
    yield from (unit.name for unit in issue.distribution.all())


# What the issue page reads of the issue, its series and its stored reading copy.
_DETAIL_FIELDS = (
    "series__name",
    "year",
    "number",
    "total_number",
    "title",
    "issue_date",
    "printed_on",
    "issuing_office",
    "distribution_line",
    "status",
    "publish_at",
    "withdrawn_at",
    "visibility",
    "official_pdf",
    "reading__articles",
    "reading__attachments",
    "reading__has_meetings",
)


@lru_cache(maxsize=1024)
def _masthead(language, series_name, year, number, total_number, issue_date, printed_on) -> dict:
    """The issue page's 报头 and 印发 lines and the number label of its title, worked
    out once per process for each set of values they are made of (a pure function of
    them and the language: translated formats and Chinese numerals)."""
    org_line, kind_line = masthead_lines(series_name)
    return {
        "masthead_org": org_line,
        "masthead_kind": kind_line,
        "number": number_label(number),
        "total_number": total_number_label(total_number),
        "issue_date": chinese_date(issue_date),
        "printed": printed_text(chinese_date(printed_on or issue_date)),
        "number_label": Issue(year=year, number=number).number_label,
    }


@require_safe
def issue_detail(request, pk):
    issue = visible_issue(request.user, pk, _DETAIL_FIELDS)
    if issue is None:
        raise Http404("No Issue matches the given query.")  # get_object_or_404's words
    receipt = record_view(issue=issue, by=request.user)
    reading = reading_copy(issue)
    is_public = issue.is_published and issue.visibility == Visibility.PUBLIC
    context = {
        "issue": issue,
        "is_internal": issue.visibility == Visibility.INTERNAL,
        **_masthead(
            get_language(),
            issue.series.name,
            issue.year,
            issue.number,
            issue.total_number,
            issue.issue_date,
            issue.printed_on,
        ),
        "articles": [
            # Stored cleaned (bulletins/reading.py, html.article_html).
            {"title": title, "body": mark_safe(body)}  # noqa: S308
            for title, body in reading.articles
        ],
        "distribution": distribution_text(issue.distribution_line, _unit_names(issue)),
        "attachments": [
            {
                "url": url_with_ids("bulletins:attachment_download", issue.pk, attachment_pk),
                "name": name,
                "size": size,
            }
            for attachment_pk, name, size in reading.attachments
        ],
        "meetings": [
            {"meeting": meeting, "date": chinese_date(meeting.starts_at)}
            for meeting in Meeting.objects.visible_to(request.user).filter(issues=issue)
        ]
        if reading.has_meetings
        else [],
        "banner": "" if issue.is_published else _preview_banner(issue),
        # The office's preview names what the PDF cannot print (no face has it).
        "unprintable": (
            "".join(pdf.unprintable_characters(_whole_issue(issue)))
            if is_office(request.user) and not issue.is_published
            else ""
        ),
        "pdf_url": url_with_ids("bulletins:issue_pdf", issue.pk),
        "receipt": receipt,
        "can_acknowledge": receipt is not None and receipt.acknowledged_at is None,
        "acknowledged_at": chinese_datetime(receipt.acknowledged_at if receipt else None),
    }
    # templates/bulletins/issue_detail.html, written in Python (bulletins/issue_html.py).
    response = HttpResponse(issue_page(request, context))
    return _keep_private(response, request, public=is_public)


def _whole_issue(issue):
    """``issue`` with every field (the page reads a few; the PDF's checks read them all)."""
    return Issue.objects.select_related("series").get(pk=issue.pk)


@require_POST
@login_required
def issue_acknowledge(request, pk):
    """签收 for the user's unit; PRG back to the issue."""
    issue = get_object_or_404(Issue.objects.visible_to(request.user), pk=pk)
    try:
        receipt = acknowledge_issue(issue=issue, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if receipt.acknowledged_by_id == request.user.pk:
            messages.success(request, _("已签收。"))
        else:
            messages.info(
                request,
                _("本单位已由 %(name)s 于 %(when)s 签收。")
                % {
                    "name": receipt.acknowledged_by.display_name if receipt.acknowledged_by else "",
                    "when": chinese_datetime(receipt.acknowledged_at),
                },
            )
    return redirect("bulletins:issue_detail", pk=issue.pk)


# --- files -----------------------------------------------------------------------


@require_safe
def attachment_download(request, issue_pk, pk):
    """An attachment under its original (Chinese) name; counts the download for published issues."""
    attachment = get_or_refuse(
        Attachment.objects.visible_to(request.user).select_related("issue"),
        "download.attachment",
        by=request.user,
        pk=pk,
        issue_id=issue_pk,
        is_inline=False,
    )
    fileobj = _open_private(attachment.file)
    record_attachment_download(attachment=attachment, by=request.user)
    if attachment.issue.visibility != Visibility.PUBLIC:
        record(
            "download.attachment",
            by=request.user,
            obj=attachment,
            label=f"{attachment.issue} · {_download_name(attachment)}",
        )
    return download_response(
        fileobj,
        filename=_download_name(attachment),
        content_type=attachment.content_type or "application/octet-stream",
    )


@require_safe
def attachment_image(request, issue_pk, pk):
    """A picture of an article body (``is_inline``), shown in the page."""
    attachment = get_object_or_404(
        Attachment.objects.visible_to(request.user),
        pk=pk,
        issue_id=issue_pk,
        is_inline=True,
    )
    content_type = attachment.content_type or mimetypes.guess_type(attachment.file.name)[0]
    if content_type not in IMAGE_TYPES:
        raise Http404(_("不是图片。"))
    return download_response(
        _open_private(attachment.file),
        filename=_download_name(attachment),
        content_type=content_type,
        inline=True,
    )


@require_safe
def issue_cover(request, pk):
    """The cover thumbnail of an issue the user may see."""
    issue = get_object_or_404(Issue.objects.visible_to(request.user), pk=pk)
    thumbnail = issue.cover_thumbnail
    content_type = mimetypes.guess_type(thumbnail.name)[0] if thumbnail else None
    if content_type not in IMAGE_TYPES:
        raise Http404(_("没有封面。"))
    ext = os.path.splitext(thumbnail.name)[1]
    return download_response(
        _open_private(thumbnail),
        filename=f"{_('封面')}{ext}",
        content_type=content_type,
        inline=True,
    )


# --- meetings --------------------------------------------------------------------


@require_safe
def meeting_list(request):
    page = page_of(request, Meeting.objects.visible_to(request.user), MEETINGS_PAGE_SIZE)
    rows = [{"meeting": meeting, "when": chinese_datetime(meeting.starts_at)} for meeting in page]
    response = render(request, "bulletins/meeting_list.html", {"page": page, "rows": rows})
    return _keep_private(response, request, public=True)


@require_safe
def meeting_detail(request, pk):
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
    issues = [
        {
            "issue": issue,
            "number": issue.number_label,
            "is_internal": issue.visibility == Visibility.INTERNAL,
            "status": "" if issue.is_published else issue.get_status_display(),
        }
        for issue in Issue.objects.visible_to(request.user)
        .filter(meetings=meeting)
        .select_related("series")
    ]
    context = {
        "meeting": meeting,
        "when": chinese_datetime(meeting.starts_at),
        "agenda": [
            {"title": item.title, "body": _rich_text(item.body)}
            for item in meeting.agenda_items.all()
        ],
        "key_points": _rich_text(meeting.key_points),
        "issues": issues,
        "panels": meeting_panels(meeting, request.user),
    }
    response = render(request, "bulletins/meeting_detail.html", context)
    return _keep_private(response, request, public=meeting.visibility == Visibility.PUBLIC)
