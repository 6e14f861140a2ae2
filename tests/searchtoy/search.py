"""The notice board's searchable kind: everything search needs, declared in this app alone."""

from django.db.models import OuterRef

from portal.search.registry import Document, Facet, Follows, SearchKind

from .models import Board, Note, Notice


class NoticeKind(SearchKind):
    name = "notice"
    label = "通知"
    code = 15
    model = Notice
    template = "searchtoy/hit.html"
    follows = (
        Follows(Note, lambda note: [note.notice_id], deleted=True),
        Follows(Board, lambda board: board.notices.values_list("pk", flat=True), created=False),
    )
    facet = Facet(
        param="board",
        label="公告栏",
        empty_label="全部公告栏",
        choices=lambda user: Board.objects.values_list("pk", "name"),
    )

    def queryset(self):
        return Notice.objects.select_related("board").prefetch_related("notes")

    def link_data(self, user):
        return {"board": Notice.objects.filter(pk=OuterRef("object_id")).values("board_id")[:1]}

    def url(self, object_id, data, user):
        return f"/boards/{data['board']}/notices/{object_id}/"

    def document(self, notice) -> Document:
        return Document(
            title=notice.title,
            parts=[(notice.body, True), *((note.text, False) for note in notice.notes.all())],
            when=notice.posted_on,
            label=f"{notice.board.name} · {notice.posted_on:%Y-%m-%d}",
            year=notice.posted_on.year,
            date=notice.posted_on,
            group=notice.board_id,
        )
