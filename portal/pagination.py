"""One way to cut a list into pages, shown by ``templates/includes/pagination.html``."""

from html import escape as html_escape
from urllib.parse import urlencode

from django.core.paginator import InvalidPage, Page, Paginator
from django.core.signals import setting_changed
from django.db.models import Count, Window
from django.dispatch import receiver
from django.http import Http404
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
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


def page_number(request) -> int:
    """The page ``?page=`` names (1 when absent), as ``Paginator.validate_number`` reads
    it; ``Http404`` when it is not a whole number from 1 to 2**31."""
    try:
        number = int(request.GET.get("page") or 1)
    except (TypeError, ValueError) as exc:
        raise Http404(_("没有这一页。")) from exc
    # Past 2**31 no list of ours has the page, and its rows' offset would overflow
    # the database's integers (SQLite refuses it: a 500, not a 404).
    if not 1 <= number <= 2**31:
        raise Http404(_("没有这一页。"))
    return number


def counted_page(rows: list[dict], number: int, per_page: int) -> Page:
    """Page ``number`` of a list from its ``rows`` (at most ``per_page`` dictionaries,
    rows ``(number - 1) * per_page`` on), each carrying the list's length as
    ``list_count`` (``COUNT(*) OVER ()``, see ``counted_page_of``). ``Http404`` for an
    empty page but the first."""
    if not rows and number > 1:
        raise Http404(_("没有这一页。"))
    paginator = Paginator(rows, per_page)
    paginator.count = rows[0]["list_count"] if rows else 0
    return Page(rows, number, paginator)


def counted_page_of(request, queryset, per_page: int) -> Page:
    """``page_of`` in one query: the page's rows carry the list's length, counted by
    the database beside them (``COUNT(*) OVER ()``) instead of by a ``COUNT`` of its
    own. ``queryset`` is a ``values()`` queryset; its rows are dictionaries. The same
    404s as ``page_of``."""
    number = page_number(request)
    bottom = (number - 1) * per_page
    rows = list(queryset.annotate(list_count=Window(Count("*")))[bottom : bottom + per_page])
    return counted_page(rows, number, per_page)


def _around_page(request) -> tuple[str, str]:
    """The request's query string without ``page``, encoded (``QueryDict.urlencode``)
    and escaped once: the text before and after where a link puts ``page=n``. Where
    ``{% querystring page=n %}`` puts it: in place of the first ``page``, or last when
    there is none; ``("", "")`` when the query string holds nothing else."""
    query = request.GET if request is not None else None
    if not query:
        return "", ""
    charset = query.encoding
    before: list[str] = []
    after: list[str] = []
    side = before
    for key, values in query.lists():
        if key == "page":
            side = after
            continue
        side.extend(
            urlencode({key.encode(charset): str(value).encode(charset)}) for value in values
        )
    return (
        escape("&".join(before) + "&") if before else "",
        escape("&" + "&".join(after)) if after else "",
    )


# The links' fixed texts, translated and escaped once per language: gettext and
# Django's escape cost half of pagination_html (issue 11).
_texts: dict[str | None, tuple[str, str, str, str]] = {}


@receiver(setting_changed, dispatch_uid="pagination_texts_forget")
def _forget(**kwargs):
    """A changed setting (LANGUAGES, LOCALE_PATHS in tests) forgets them."""
    _texts.clear()


def _link_texts() -> tuple[str, str, str, str]:
    """``(previous, next, the nav's label, "第 n / m 页" with its two placeholders)`` in
    the active language, each escaped (the placeholders survive escaping unchanged,
    and the page numbers put in them need none)."""
    language = get_language()
    texts = _texts.get(language)
    if texts is None:
        if len(_texts) >= 16:
            _texts.clear()
        texts = _texts[language] = (
            html_escape(_("上一页")),
            html_escape(_("下一页")),
            html_escape(_("分页")),
            html_escape(_("第 %(n)s / %(total)s 页")),
        )
    return texts


def pagination_html(request, page) -> SafeString:
    """The ``<nav class="pagination">`` under a list (``includes/pagination.html``): the
    previous and next pages' links, which keep the rest of the query string, and "第 n /
    m 页"; nothing for a list of one page. Written in Python: the template's
    ``{% querystring %}`` and translations cost more than the links (issue 11); the
    rest of the query string encoded once for both links (``_around_page``), the fixed
    texts translated once per language (``_link_texts``)."""
    if page is None or page.paginator.num_pages <= 1:
        return mark_safe("")
    before, after = _around_page(request)
    previous_text, next_text, label, where = _link_texts()

    def link(number, text, rel):
        return (
            f'<a class="button button--secondary" href="?{before}page={int(number)}{after}"'
            f' rel="{rel}">{text}</a>'
        )

    previous = (
        link(page.previous_page_number(), previous_text, "prev") if page.has_previous() else ""
    )
    following = link(page.next_page_number(), next_text, "next") if page.has_next() else ""
    where = where % {"n": int(page.number), "total": int(page.paginator.num_pages)}
    return mark_safe(  # noqa: S308 (built from escaped parts)
        f'\n<nav class="pagination" aria-label="{label}">\n'
        f"  {previous}\n  <span>{where}</span>\n  {following}\n</nav>\n"
    )
