"""Downloads of an issue's official-format PDF and of a year's ZIP (DESIGN.md, stable URLs).

Permission first: both start from ``Issue.objects.visible_to(request.user)``
and answer 404 for what the user may not see, before any ETag or
Last-Modified handling, so a hidden issue never gets a 304 (SECURITY.md).
"""

from functools import lru_cache

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal.audit.services import record, record_not_found
from portal.files import content_disposition, download_response

from . import pdf, pdf_stamp
from .archive import stream_year_zip, year_zip_filename
from .models import Issue, Visibility
from .receipts import record_download
from .visible_issue import visible_issue

YEARS = range(1949, 10000)


def _cache_control(issue: Issue) -> str:
    # A public published issue may sit in shared caches, revalidated on every
    # use (a withdrawal then answers 404); anything else is for this user only.
    if issue.is_published and issue.visibility == Visibility.PUBLIC:
        return "public, no-cache"
    return "private, no-cache"


# Pure functions of their arguments, worked out once each per process: a download's
# Content-Disposition (RFC 6266: the ASCII fallback and the percent-encoded name) and
# its Last-Modified date.
_attachment = lru_cache(maxsize=1024)(content_disposition)
_http_date = lru_cache(maxsize=1024)(http_date)


def _validator_headers(response, issue: Issue, validators) -> None:
    response["ETag"] = validators.etag
    if validators.last_modified:
        response["Last-Modified"] = _http_date(validators.last_modified.timestamp())
    response["Cache-Control"] = _cache_control(issue)


# What a download reads of the issue (and its series): the file name, the cache
# key and who may keep a copy. Rendering, when the PDF is still to be made,
# reads the whole row again (pdf_cache._complete).
_PDF_FIELDS = (
    "series__name",
    "year",
    "number",
    "title",
    "status",
    "visibility",
    "official_pdf",
    "generated_pdf",
    "generated_pdf_key",
    "pdf_content_digest",
)


@require_safe
def issue_pdf(request, pk):
    """The issue's PDF: the office's own file when uploaded, else the generated one.

    A unit's copy of an internal issue carries the reader's mark
    (bulletins/pdf_stamp.py): made per download, so it has no validators.
    """
    issue = visible_issue(request.user, pk, _PDF_FIELDS)
    if issue is None:
        record_not_found("download.issue_pdf", Issue, pk, by=request.user)
        raise Http404("No Issue matches the given query.")  # get_object_or_404's words
    stamped = pdf_stamp.needs_stamp(issue, request.user)
    validators = None
    if not stamped:
        validators = pdf.pdf_validators(issue)
        modified = validators.last_modified
        not_modified = get_conditional_response(
            request,
            etag=validators.etag,
            last_modified=int(modified.timestamp()) if modified else None,
        )
        if not_modified is not None:
            _validator_headers(not_modified, issue, validators)
            return not_modified
    try:
        result = pdf.issue_pdf(issue, validators=validators)
    except FileNotFoundError as exc:  # the office's upload is gone from the storage
        raise Http404(_("文件不存在。")) from exc
    if stamped:
        text = pdf_stamp.stamp_text(request.user)
        response = download_response(
            pdf_stamp.stamped_file(result.file, text),
            filename=result.filename,
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"
    else:
        # download_response's headers, the Content-Disposition kept per file name
        response = FileResponse(result.file, content_type="application/pdf")
        response["Content-Disposition"] = _attachment(result.filename)
        response["X-Content-Type-Options"] = "nosniff"
        _validator_headers(response, issue, validators._replace(last_modified=result.last_modified))
    if request.method == "GET":
        record_download(issue=issue, by=request.user)
        if issue.visibility != Visibility.PUBLIC:
            record("download.issue_pdf", by=request.user, obj=issue)
    return response


@require_safe
def year_zip(request, year):
    """All published issues of ``year`` the user may see, with attachments, as one ZIP."""
    if year not in YEARS:
        raise Http404(_("没有这一年度。"))
    if request.method == "HEAD":
        # Building the archive would generate PDFs and record downloads.
        if not Issue.objects.visible_to(request.user).published().filter(year=year).exists():
            raise Http404(_("这一年度没有可下载的简报。"))
        response = HttpResponse(content_type="application/zip")
    else:

        def downloaded(issue):
            record_download(issue=issue, by=request.user)

        stream = stream_year_zip(request.user, year, on_issue=downloaded)
        if stream is None:
            raise Http404(_("这一年度没有可下载的简报。"))
        response = StreamingHttpResponse(stream, content_type="application/zip")
        record("download.year_zip", by=request.user, label=year_zip_filename(year))
    response["Content-Disposition"] = content_disposition(year_zip_filename(year))
    response["X-Content-Type-Options"] = "nosniff"
    # What the archive holds depends on who asks.
    response["Cache-Control"] = "private, no-store"
    return response


def warn_unprintable(model_admin, request, issues) -> None:
    """After publishing or scheduling in the admin: name the characters the PDF cannot print.

    A warning, not a refusal: the web page shows them, and the office may
    upload its own PDF instead.
    """
    for issue in issues.select_related("series"):
        missing = pdf.unprintable_characters(issue)
        if missing:
            model_admin.message_user(
                request,
                _("%(issue)s：PDF 中以下字符没有字体可以显示，将印成空白方框：%(chars)s")
                % {"issue": issue, "chars": "".join(missing)},
                messages.WARNING,
            )
