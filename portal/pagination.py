"""One way to cut a list into pages, shown by ``templates/includes/pagination.html``."""

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Count, Window
from django.http import Http404
from django.utils.translation import gettext as _


def page_of(request, object_list, per_page: int, *, count: int | None = None) -> Page:
    """The page of ``object_list`` named by ``?page=`` (the first when absent).

    ``object_list`` is a queryset or a list; ``per_page`` the rows per page;
    ``count``, when the caller already knows how many rows the list holds (a
    stored count), saves counting them. A page number that is not a number or
    lies past the last page raises ``Http404`` (never a 500), as does any page of
    an empty list but the first.
    """
    paginator = Paginator(object_list, per_page)
    if count is not None:
        paginator.count = count  # replaces the cached property that would COUNT(*)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as exc:
        raise Http404(_("没有这一页。")) from exc


def counted_page_of(request, queryset, per_page: int) -> Page:
    """``page_of`` in one query: the page's rows carry the list's length, counted by
    the database beside them (``COUNT(*) OVER ()``) instead of by a ``COUNT`` of its
    own. ``queryset`` is a ``values()`` queryset; its rows are dictionaries. The same
    404s as ``page_of``."""
    try:
        number = int(request.GET.get("page") or 1)  # as Paginator.validate_number reads it
    except (TypeError, ValueError) as exc:
        raise Http404(_("没有这一页。")) from exc
    if number < 1:
        raise Http404(_("没有这一页。"))
    bottom = (number - 1) * per_page
    rows = list(queryset.annotate(list_count=Window(Count("*")))[bottom : bottom + per_page])
    if not rows and number > 1:
        raise Http404(_("没有这一页。"))
    paginator = Paginator(rows, per_page)
    paginator.count = rows[0]["list_count"] if rows else 0
    return Page(rows, number, paginator)
