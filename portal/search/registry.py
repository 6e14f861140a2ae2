"""What the apps index: each searchable kind is declared by the app that owns the model.

The Wagtail way turned to our engine (wagtail/search/index.py: ``Indexed``,
``SearchField``, ``RelatedFields``, ``get_indexed_models``): an app subclasses
``SearchKind`` in its own ``search.py`` and calls ``register(...)`` from its
``AppConfig.ready()``. ``portal.search`` then knows, from the registry alone,

- which model a kind indexes and how its text is read (``SearchKind.document``),
- which saves and deletes change that text (the model itself, ``follows``,
  ``m2m``): ``register`` connects those signals,
- who may see a document (``visible_to``, the model's own rule, applied at query
  time) and which kinds a user is offered as a filter (``offered_to``),
- where a hit links to (``urls``) and how it is shown (``template``),
- an optional facet of its own (``facet``, e.g. the series of an issue).

Adding a searchable kind is then a change in one app; ``portal.search`` imports
no app (tests/portal/test_code_rules.py checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeData, SafeString

from portal.accounts.models import acting_unit_id, is_office

MAX_CODE = 15  # models.KIND_BITS: a kind's code is part of every sort key
DEFAULT_HIT_TEMPLATE = "search/hit.html"
# SearchKind.audiences_of: the user sees every document of the kind.
EVERY = "*"


@dataclass(frozen=True)
class Follows:
    """A model whose rows are part of a kind's documents (Wagtail's ``RelatedFields``).

    ``model``: the model or ``"app_label.ModelName"``. ``sources(instance)``: ids
    of the kind's objects whose document includes ``instance`` (an iterable of
    ints or a ``values_list`` queryset). ``ignore``: saves that only touch these
    fields change nothing a search shows; ``fields``, the other way round: only
    saves touching one of these do (a unit's ``name``). ``created``: whether a new row can
    already belong to a document (False for a parent such as a plan or a
    series: a new one has no children yet). ``deleted``: whether deleting a row
    changes a document that survives (an article removed from an issue).
    """

    model: type[models.Model] | str
    sources: Callable[[models.Model], Iterable[int]]
    ignore: frozenset[str] = frozenset()
    fields: frozenset[str] | None = None
    created: bool = True
    deleted: bool = False


@dataclass(frozen=True)
class Facet:
    """A kind's own filter and facet on the results page (an issue's series).

    ``param``: the query-string name (``series``). ``choices(user)``: ``(id,
    name)`` pairs the user may filter by; a hidden group's name is never
    offered. The document's ``group`` holds the id.

    ``query(user)``, optional: the same choices as a statement kept per key,
    ``(key, build)`` as ``visibility.kept_rows`` takes them (``build()`` a
    ``values_list`` of ids and names, ``key`` all that it depends on besides the
    data); ``choices(user)`` must return the rows of that statement.

    ``stamp``, with ``query`` (PostgreSQL): SQL of a scalar subquery whose value
    changes, in the same transaction, with every change of the tables that ``query``
    reads (a row that triggers rewrite, bulletins 0007); NULL when unknown. With both,
    the results page reads only the stamp inside its hits' statement and keeps the
    choices per process under the stamp read with them (issue 11); without a stamp,
    the choices are read by ``choices(user)`` as for any facet.
    """

    param: str
    label: str
    empty_label: str
    choices: Callable[[object], Iterable[tuple[int, str]]]
    query: Callable[[object], tuple[Hashable, Callable[[], models.QuerySet]]] | None = None
    stamp: str | None = None


@dataclass
class Document:
    """What a kind gives the index for one object.

    ``parts``: ``(text, is_html)`` pairs, the searchable text after the title, in
    display order (snippets show the first lines that match); ``is_html=None``
    guesses. ``when``: the moment that orders results newest first (datetime,
    date or None). ``label``: the line shown above the title (series, number,
    date). ``year`` and ``date``: the year facet and filter. ``group``: the
    kind's facet value (``SearchKind.facet``), e.g. the series id.
    """

    title: str
    parts: Sequence[tuple[str | None, bool | None]]
    when: datetime | date | None
    label: str = ""
    year: int | None = None
    date: date | None = None
    group: int | None = None


class SearchKind:
    """One searchable kind; subclass it in the app that owns ``model`` and ``register()`` it.

    Required: ``name`` (``[a-z_]{1,20}``: the ``type=`` value and the CSS class
    of a hit), ``label`` (shown on hits and in the type filter), ``code`` (1-15,
    unique, never reused: it is part of every sort key; changing it needs
    ``rebuild_search_index``), ``model``, ``document(obj)``.
    """

    name: str = ""
    label: str = ""
    code: int = 0
    model: type[models.Model] | None = None
    # Saves of ``model`` that touch only these fields change nothing a search shows.
    ignore: frozenset[str] = frozenset()
    follows: Sequence[Follows] = ()
    # Many-to-many fields of ``model`` whose rows are part of the text (抄送 units).
    m2m: Sequence[str] = ()
    facet: Facet | None = None
    # A template of the kind's own look for its hits, given ``hit`` (views.Hit);
    # by default ``render_hit`` writes the common markup.
    template: str = DEFAULT_HIT_TEMPLATE
    # ``reverse(url_name, kwargs={"pk": id})`` is the link of a hit, unless ``url`` says more.
    url_name: str = ""

    def queryset(self) -> models.QuerySet:
        """Every object of the kind, with what ``document`` reads prefetched."""
        return self.model._base_manager.all()

    def document(self, obj) -> Document:
        raise NotImplementedError(f"{type(self).__name__} must define document(obj)")

    def visible_to(self, user) -> models.QuerySet:
        """The objects ``user`` may see: the model's own ``visible_to``."""
        return self.model.objects.visible_to(user)

    def visibility_key(self, user) -> Hashable | None:
        """What ``visible_to(user)`` depends on, when that is less than the user.

        Users with equal keys must get the same ``visible_to`` query: the SQL
        compiled for one of them (visibility.py) then serves them all for the life
        of the process. None, the default: compiled again on every search.
        ``audience(user)`` suits a rule that branches only on the office, the
        acting unit and being signed in.
        """
        return None

    def audiences(self, ids: Iterable[int]) -> dict[int, frozenset[str]] | None:
        """Who may read each object's document, as audience names, or None (the default)
        when the kind does not declare it.

        ``ids``: object ids; returns ``{id: frozenset of names}`` for those that exist
        (one query). A name is ``[a-z0-9]{1,30}`` (``public``, ``members``, ``u12``).
        On PostgreSQL each name is a lexeme of the document's tokens
        (models.audience_lexeme), so the token index itself returns only documents a
        reader may see and the count and facets probe nothing (issue 11). It must
        follow every change of who may see the object: ``follows`` and ``ignore``
        have to make such a change re-index the document in the same transaction.
        Declared together with ``audiences_of``.
        """
        return None

    def audiences_of(self, user) -> frozenset[str] | str | None:
        """The audiences (``audiences``) whose documents ``user`` may read, ``EVERY``
        for every document of the kind, or None when the kind declares none.

        The contract, tested for every kind and persona: an object is in
        ``visible_to(user)`` exactly when this is ``EVERY`` or meets the object's
        ``audiences``. Depends on nothing but ``visibility_key(user)``.
        """
        return None

    def offered_to(self, user) -> bool:
        """Whether the type filter offers this kind to ``user`` (it may still find none)."""
        return True

    def link_data(self, user) -> dict[str, models.QuerySet]:
        """What ``url`` needs beyond the object id, read in the results page's one query.

        ``{name: queryset}``, each queryset one value (``.values("x")[:1]``) of the
        row whose pk is ``OuterRef("object_id")``: a page costs the same number of
        queries whatever kinds it shows.
        """
        return {}

    def url(self, object_id: int, data: dict, user) -> str | None:
        """The link of a hit; ``data`` holds the values ``link_data`` named."""
        return reverse_pk(self.url_name, object_id)

    def render_hit(self, hit) -> SafeString:
        """The ``<li>`` of one hit (views.Hit): the kind's ``template`` if it names one,
        else the markup of ``search/hit.html`` written here (a template include per
        hit cost a fifth of a results page, issue 11). ``hit.title`` and
        ``hit.snippet`` are safe already; everything else is escaped."""
        if self.template != DEFAULT_HIT_TEMPLATE:
            return render_to_string(self.template, {"hit": hit})
        title = _safe(hit.title)
        if hit.url:
            title = f'<a href="{escape(hit.url)}">{title}</a>'
        snippet = _safe(hit.snippet)
        if snippet:
            snippet = f'<p class="search-hit__snippet">{snippet}</p>'
        # SafeString itself: mark_safe's check for lazy text costs more than the rest.
        return SafeString(
            f"{_hit_head(hit.kind, hit.kind_label)} {escape(hit.meta)}</p>\n"
            f'  <h2 class="search-hit__title">{title}</h2>\n'
            f"  {snippet}\n"
            "</li>\n"
        )

    def __repr__(self):
        return f"<SearchKind {self.name}>"


_PK = 918273645  # stands for the pk while a route is reversed once (reverse_pk)
_routes: dict[tuple, tuple[str, str]] = {}
# (script prefix, URLconf, ROOT_URLCONF) while ``routes_pinned`` is on.
_pinned: ContextVar[tuple | None] = ContextVar("search_routes_pinned", default=None)


def _where() -> tuple:
    return get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF


@contextmanager
def routes_pinned():
    """Within it, ``reverse_pk`` takes the script prefix and URLconf as they were on
    entering rather than asking for them each time: two per-thread look-ups a hit
    (issue 11). For a stretch of code that changes neither (a results page's hits)."""
    token = _pinned.set(_where())
    try:
        yield
    finally:
        _pinned.reset(token)


def reverse_pk(url_name: str, pk: int) -> str:
    """``reverse(url_name, kwargs={"pk": pk})``, each route reversed once per process.

    The route is reversed with a stand-in pk and cut around it; the pieces are kept
    per script prefix and URLconf, which is all a reversed URL depends on besides
    its arguments. Twenty links a results page cost no resolver work.
    """
    key = (url_name, *(_pinned.get() or _where()))
    pieces = _routes.get(key)
    if pieces is None:
        head, stand_in, tail = reverse(url_name, kwargs={"pk": _PK}).partition(str(_PK))
        if not stand_in:
            return reverse(url_name, kwargs={"pk": pk})
        pieces = _routes[key] = (head, tail)
    return f"{pieces[0]}{int(pk)}{pieces[1]}"


_heads: dict[tuple[str, str], str] = {}


def _hit_head(kind: str, label) -> str:
    """A hit's ``<li>`` up to its badge, escaped once per kind and label (language)."""
    key = (kind, str(label))
    head = _heads.get(key)
    if head is None:
        if len(_heads) >= 1024:
            _heads.clear()
        head = _heads[key] = (
            f'<li class="search-hit search-hit--{escape(key[0])}">\n'
            f'  <p class="search-hit__meta"><span class="badge">{escape(key[1])}</span>'
        )
    return head


def _safe(text) -> str:
    """``conditional_escape`` without its lazy-string wrapper (twice a hit)."""
    return str(text) if isinstance(text, SafeData) else escape(str(text))


def audience(user) -> tuple[bool, int | None, bool]:
    """Who ``user`` is to the visibility rules of the portal (DESIGN.md, "Who may see"):
    office staff, the unit they act for, signed in and active. A ``visibility_key``
    for kinds whose ``visible_to`` branches on nothing else."""
    signed_in = bool(user is not None and user.is_authenticated and user.is_active)
    return is_office(user), acting_unit_id(user), signed_in


@dataclass
class Registry:
    by_name: dict[str, SearchKind] = field(default_factory=dict)
    by_model: dict[type[models.Model], SearchKind] = field(default_factory=dict)


_registry = Registry()
_version = 0  # counts the changes of the registry (``version``)


def version() -> int:
    """A number that changes whenever a kind is registered or unregistered: what is
    kept of the registered kinds (their labels and facets in the results page's form)
    is kept per version."""
    return _version


def _resolve(model) -> type[models.Model]:
    return apps.get_model(model) if isinstance(model, str) else model


def register(kind: SearchKind) -> SearchKind:
    """Add a kind (an instance) and connect the signals that keep its documents current.

    Call from the owning app's ``AppConfig.ready()``. Registering the same class
    again is harmless; a clash of name, code or model raises
    ``ImproperlyConfigured``.
    """
    from . import signals  # the wiring needs the registry; the registry does not need it

    kind.model = _resolve(kind.model)
    known = _registry.by_name.get(kind.name)
    if known is not None and type(known) is type(kind):
        return known
    if not kind.name or len(kind.name) > 20 or not kind.name.replace("_", "").isalpha():
        raise ImproperlyConfigured(f"search kind name {kind.name!r}: 1-20 letters or _")
    if not 1 <= kind.code <= MAX_CODE:
        raise ImproperlyConfigured(f"search kind {kind.name}: code must be 1-{MAX_CODE}")
    for other in _registry.by_name.values():
        if kind.name == other.name or kind.code == other.code or kind.model is other.model:
            raise ImproperlyConfigured(f"search kind {kind.name} clashes with {other.name}")
    global _version
    _registry.by_name[kind.name] = kind
    _registry.by_model[kind.model] = kind
    _version += 1
    signals.connect(kind)
    return kind


def unregister(name: str) -> None:
    """Remove a kind and disconnect its signals (tests that register a kind of their own)."""
    from . import signals

    global _version
    kind = _registry.by_name.pop(name)
    del _registry.by_model[kind.model]
    _version += 1
    signals.disconnect(kind)


# What kinds() and facets() answer, worked out once per version of the registry: a
# results page asks a dozen times.
_derived: dict[str, tuple[int, object]] = {}


def _of_version(name: str, work):
    kept = _derived.get(name)
    if kept is None or kept[0] != _version:
        kept = _derived[name] = (_version, work())
    return kept[1]


def kinds() -> list[SearchKind]:
    """Every registered kind, by code (a stable order for filters and the rebuild)."""
    return list(
        _of_version("kinds", lambda: sorted(_registry.by_name.values(), key=lambda k: k.code))
    )


def get(name: str) -> SearchKind:
    """The kind named ``name``; ``KeyError`` if none is registered."""
    return _registry.by_name[name]


def for_model(model) -> SearchKind | None:
    return _registry.by_model.get(model)


def facets() -> dict[str, tuple[Facet, list[str]]]:
    """Each facet parameter with its declaration and the names of the kinds that carry it."""

    def work():
        out: dict[str, tuple[Facet, list[str]]] = {}
        for kind in kinds():
            if kind.facet is not None:
                out.setdefault(kind.facet.param, (kind.facet, []))[1].append(kind.name)
        return out

    return {
        param: (facet, list(names)) for param, (facet, names) in _of_version("facets", work).items()
    }
