"""The search index: one ``SearchDocument`` per object of each registered kind (registry.py).

``SearchDocument`` is a narrow row (what a result shows and what filters and
facets need), keyed by ``sort_key``, which counts down with time so that
newest-first is ascending primary-key order; on PostgreSQL it also holds the
``tokens`` tsvector (stored out of line, in TOAST) with a GIN index, so the time
windows of a search (engine.newest_sql) read about forty documents per page of the
table. ``SearchText`` beside it holds the display text and its folded form (for
confirming matches and for snippets), one wide row each, read only for the hits
shown and the words the tokens cannot prove. On SQLite the tokens live in the
contentless FTS5 table ``search_fts`` whose rowid is ``sort_key``. Both token stores
are made by this app's migrations.
"""

from datetime import UTC, date, datetime, time

from django.db import connections, models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import registry

KIND_BITS = 4
ID_BITS = 32
MINUTE_BITS = 27  # minutes since 1970 up to year 2225; 27 + 4 + 32 = 63 bits


class SortKeyField(models.BigIntegerField):
    """A 63-bit key; on SQLite an INTEGER PRIMARY KEY, i.e. the rowid the FTS5 rows join on."""

    def db_type(self, connection):
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class TokensField(models.TextField):
    """The bigram tsvector on PostgreSQL (written by the app); unused NULL text elsewhere."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value, compiler, connection):
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"


@TokensField.register_lookup
class Matches(models.Lookup):
    """``tokens__matches="'工人' & '人队'"``: the tsvector contains every n-gram (PostgreSQL)."""

    lookup_name = "matches"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ ({rhs})::tsquery", [*lhs_params, *rhs_params]


class SearchDocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Documents whose object the kind's own ``visible_to(user)`` includes.

        One correlated EXISTS per kind (registry.SearchKind.visible_to), behind
        the kind's name so that only that kind's rule is probed: a search looks
        at a bounded set of candidates, never at every issue.
        """
        condition = Q()
        for kind in registry.kinds():
            visible = kind.visible_to(user).filter(pk=OuterRef("object_id"))
            condition |= Q(kind=kind.name) & Exists(visible)
        return self.filter(condition) if condition else self.none()

    def visible_where(self, user, trusted: frozenset[str] = frozenset()):
        """The documents ``visible_to(user)`` finds, as one raw WHERE condition.

        Much cheaper to build (visibility.py); for queries whose base table is
        the documents' own, unaliased: never inside a subquery. ``trusted``: kinds
        left to the token lookup's audience lexemes (visibility.token_scope), named
        only: a queryset with them finds hidden documents unless that lookup runs.
        """
        from .visibility import visible_sql

        condition = visible_sql(
            user, connections[self.db], self.model._meta.db_table, trusted=trusted
        )
        if condition is None:
            return self.none()
        sql, params = condition
        return self.extra(where=[sql], params=params)


class SearchDocument(models.Model):
    """One searchable object of a registered kind (registry.SearchKind)."""

    # Newest first is ORDER BY sort_key: it counts down with the date (see sort_key()).
    sort_key = SortKeyField(primary_key=True)
    # The kind's name (registry.SearchKind.name): the type filter and facet.
    kind = models.CharField(_("类型"), max_length=20)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    # The kind's own facet value (registry.Facet), e.g. an issue's series.
    group = models.PositiveIntegerField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    date = models.DateField(_("日期"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=300)
    # The line above a hit: series and 2020年第四期 of an issue, the date and place
    # of a meeting, the plan of a task, the unit of a report.
    label = models.CharField(max_length=300, blank=True)
    # PostgreSQL: the n-gram tsvector (text.tsvector_literal) with the time, kind and
    # audience lexemes, written by the app; NULL on SQLite (FTS5 holds the tokens).
    # In this narrow row, not beside the text: a search's windows read a heap row per
    # match, and the text row is a whole page (search 0005, issue 11).
    tokens = TokensField(null=True, blank=True, editable=False)

    objects = SearchDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("搜索索引条目")
        verbose_name_plural = _("搜索索引条目")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="search_document_one_per_object"
            )
        ]

    def __str__(self):
        return f"{self.kind} · {self.title}"


class SearchText(models.Model):
    """The searchable text of a document: display form and folded form."""

    document = models.OneToOneField(
        SearchDocument, primary_key=True, on_delete=models.CASCADE, related_name="content"
    )
    # ``fold(body)``: what queries are confirmed against (same length as body).
    text = models.TextField()
    body = models.TextField()

    class Meta:
        verbose_name = _("搜索索引正文")
        verbose_name_plural = _("搜索索引正文")

    def __str__(self):
        return str(self.document_id)


MAX_KEY = (1 << 63) - 1


def sort_key(code: int, source_id: int, when) -> int:
    """A unique key that orders documents newest first when sorted ascending.

    ``MAX_KEY`` minus (minutes since 1970, the kind's code, source id) packed
    into 63 bits; ``code`` is registry.SearchKind.code (1-15).
    Ascending, because SQLite's FTS5 reads phrase matches in descending rowid
    order wrongly once its segments are merged (engine.py).
    """
    if isinstance(when, datetime):
        moment = when if timezone.is_aware(when) else timezone.make_aware(when)
    elif isinstance(when, date):
        moment = timezone.make_aware(datetime.combine(when, time.min))
    else:
        moment = datetime(1970, 1, 1, tzinfo=UTC)
    minutes = int(moment.timestamp() // 60)
    minutes = min(max(minutes, 0), (1 << MINUTE_BITS) - 1)
    if not 0 < source_id < (1 << ID_BITS):
        raise ValueError(f"source id {source_id} does not fit the search sort key")
    if not 0 < code < (1 << KIND_BITS):
        raise ValueError(f"kind code {code} does not fit the search sort key")
    return MAX_KEY - ((minutes << (KIND_BITS + ID_BITS)) | (code << ID_BITS) | source_id)


def key_bound(moment: datetime) -> int:
    """The sort key of the first minute of ``moment``: documents at or after it have keys ≤ it."""
    minutes = min(max(int(moment.timestamp() // 60), 0), (1 << MINUTE_BITS) - 1)
    return MAX_KEY - (minutes << (KIND_BITS + ID_BITS))


def key_code(key: int) -> int:
    """The kind's code (registry.SearchKind.code) a sort key encodes."""
    return ((MAX_KEY - key) >> ID_BITS) & ((1 << KIND_BITS) - 1)


def key_month(key: int) -> tuple[int, int]:
    """(year, month) in UTC of the moment a sort key encodes."""
    minutes = (MAX_KEY - key) >> (KIND_BITS + ID_BITS)
    moment = datetime.fromtimestamp(minutes * 60, tz=UTC)
    return moment.year, moment.month


def time_lexemes(key: int) -> list[str]:
    """Lexemes for the document's month and year (PostgreSQL): ``¦t202006``, ``¦y2020``.

    engine.time_windows picks windows of time out of the GIN index with them.
    """
    year, month = key_month(key)
    return [f"\u00a6t{year:04d}{month:02d}", f"\u00a6y{year:04d}"]


def kind_lexeme(kind: str) -> str:
    """The lexeme of a document's kind (PostgreSQL), ``¦kissue``: engine.newest_sql
    keeps to the kinds a reader may see inside the GIN index with it."""
    return f"\u00a6k{kind}"


AUDIENCE_PREFIX = "\u00a6v"


def audience_lexeme(kind: str, audience: str) -> str:
    """The lexeme of one audience of a document (PostgreSQL), ``¦vissue.public``: the
    kind and one name of registry.SearchKind.audiences. engine.newest_sql asks the GIN
    index for the reader's audiences (visibility.token_scope) with them."""
    return f"{AUDIENCE_PREFIX}{kind}.{audience}"


def uses_fts5(connection) -> bool:
    return connection.vendor == "sqlite"


def uses_tsvector(connection) -> bool:
    return connection.vendor == "postgresql"
