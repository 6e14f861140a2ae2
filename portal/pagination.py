"""One way to cut a list into pages, shown by ``templates/includes/pagination.html``."""

from django.core.paginator import InvalidPage, Page, Paginator
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
