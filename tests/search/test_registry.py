"""A kind declared by an app the search code has never heard of (tests/searchtoy) is found,
kept current and filtered like the built-in ones; the registry refuses clashes."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from portal.search import registry
from portal.search.models import SearchDocument
from tests.searchtoy.models import Board, Note, Notice
from tests.searchtoy.search import NoticeKind

from .conftest import document_of, fts_rows
from .test_visibility import URL, errors, results, summary


@pytest.fixture
def toy_kind():
    kind = registry.register(NoticeKind())
    yield kind
    registry.unregister(kind.name)


@pytest.fixture
def notices(db, toy_kind):
    board = Board.objects.create(name="职工书屋公告栏")
    other = Board.objects.create(name="食堂公告栏")
    public = Notice.objects.create(
        board=board,
        title="读书月活动安排",
        body="<p>本月举办<strong>书香职工</strong>读书分享会。</p>",
        public=True,
        posted_on=datetime.date(2026, 5, 4),
    )
    internal = Notice.objects.create(
        board=other,
        title="内部值班表",
        body="<p>书香职工志愿者值班安排。</p>",
        posted_on=datetime.date(2025, 3, 1),
    )
    return {"board": board, "other": other, "public": public, "internal": internal}


def test_a_registered_kind_is_found_with_its_own_link_and_template(notices, anon_client):
    response = anon_client.get(URL, {"q": "读书分享"})
    page = response.content.decode()
    assert summary(response) == "找到1条结果。"
    notice = notices["public"]
    assert f'href="/boards/{notice.board_id}/notices/{notice.pk}/"' in page
    assert 'class="search-hit search-hit--notice notice-hit"' in page
    assert '<span class="badge">通知</span> 职工书屋公告栏 · 2026-05-04' in page
    assert "<mark>读书分享</mark>" in page


@pytest.mark.parametrize(
    "persona, found",
    [
        pytest.param("anon", 1, id="anon: only the public notice (the model's own visible_to)"),
        pytest.param("unit_a", 2, id="unit_a: members see internal notices"),
        pytest.param("deactivated", 1, id="deactivated: as anonymous"),
    ],
    indirect=["persona"],
)
def test_its_visible_to_rule_decides_who_finds_what(notices, persona, found):
    response = persona.get(URL, {"q": "书香职工"})
    assert summary(response) == f"找到{found}条结果。"
    assert ("内部值班表" in response.content.decode()) == (found == 2)


def test_its_type_and_facet_filter_and_count(notices, unit_a, client_a):
    both = client_a.get(URL, {"q": "书香职工"})
    assert 'value="notice"' in both.content.decode()  # offered in the type filter
    facets = both.content.decode().split('class="search-facets"')[1].split("</nav>")[0]
    assert "公告栏" in facets and "职工书屋公告栏" in facets and "食堂公告栏" in facets
    by_board = client_a.get(URL, {"q": "书香职工", "board": notices["other"].pk})
    assert [r for r in results(by_board) if "内部值班表" in r] and len(results(by_board)) == 1
    assert results(client_a.get(URL, {"q": "书香职工", "type": "notice", "year": 2025})) == [
        results(by_board)[0]
    ]
    assert errors(client_a.get(URL, {"q": "书香职工", "board": "999999"}))


def test_saves_of_it_and_of_what_it_follows_keep_the_index(notices, anon_client):
    notice = notices["public"]
    notice.title = "读书节活动安排"
    notice.save()
    assert document_of(notice).title == "读书节活动安排"
    note = Note.objects.create(notice=notice, text="报名请找工会小李")
    assert results(anon_client.get(URL, {"q": "工会小李"}))
    note.delete()
    assert not results(anon_client.get(URL, {"q": "工会小李"}))
    board = notices["board"]
    board.name = "职工之家公告栏"
    board.save()
    assert document_of(notice).label.startswith("职工之家公告栏")
    notice.delete()
    assert not results(anon_client.get(URL, {"q": "读书分享"}))
    assert fts_rows("分享") == 0  # its tokens left the token store too
    assert SearchDocument.objects.filter(kind="notice").count() == 1


def test_the_rebuild_command_includes_it(notices, capsys):
    SearchDocument.objects.filter(kind="notice").delete()
    call_command("rebuild_search_index", "--no-progress")
    assert SearchDocument.objects.filter(kind="notice").count() == 2
    assert "2 sources" in capsys.readouterr().out


def test_unregistering_drops_its_signals_and_the_rebuild_drops_its_documents(notices):
    registry.unregister("notice")
    try:
        Notice.objects.create(
            board=notices["board"], title="新通知", posted_on=notices["public"].posted_on
        )
        assert SearchDocument.objects.filter(kind="notice").count() == 2
        call_command("rebuild_search_index", "--no-progress")
        assert not SearchDocument.objects.filter(kind="notice").exists()
    finally:
        registry.register(NoticeKind())


@pytest.mark.parametrize(
    "attrs, message",
    [
        ({"name": "issue"}, "clashes with issue"),
        ({"code": 1}, "clashes with issue"),
        ({"code": 16}, "code must be"),
        ({"name": "bad name"}, "letters"),
    ],
)
def test_the_registry_refuses_a_clash(db, attrs, message):
    kind = type("Clash", (NoticeKind,), attrs)()
    with pytest.raises(ImproperlyConfigured, match=message):
        registry.register(kind)
    assert registry.for_model(Notice) is None


def test_the_apps_register_the_six_kinds():
    assert [(k.name, k.code, k.model._meta.label) for k in registry.kinds()] == [
        ("issue", 1, "bulletins.Issue"),
        ("meeting", 2, "bulletins.Meeting"),
        ("task", 3, "tasks.Task"),
        ("report", 4, "tasks.ProgressReport"),
        ("submission", 5, "submissions.Submission"),
        ("decision", 6, "tasks.Decision"),
    ]


@pytest.mark.parametrize("url", ["/bulletins/7/?a=1&b=<2>", None])
@pytest.mark.parametrize("snippet", ["<mark>工人</mark> &amp; 队伍", ""])
@pytest.mark.parametrize("label", ["简报<b>", "Bulletin & 'co'"])
def test_a_hit_written_in_python_is_the_markup_of_search_hit_html(url, snippet, label):
    """SearchKind.render_hit writes search/hit.html's markup without the template."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from portal.search.views import Hit

    hit = Hit(
        kind="issue",
        kind_label=label,
        url=url,
        title=mark_safe("产业<mark>工人</mark> &lt;队伍&gt;"),
        snippet=mark_safe(snippet),
        meta="系列 & <期> · 2020年6月1日",
    )
    kind = registry.get("issue")
    expected = render_to_string("search/hit.html", {"hit": hit})
    assert kind.render_hit(hit) == expected.removeprefix("\n")


def test_reverse_pk_is_reverse_under_any_script_prefix():
    """Routes are cut once per script prefix and URLconf; ``routes_pinned`` takes them
    as they are on entering (a results page's hits) and lets go on leaving."""
    from django.test.utils import override_script_prefix
    from django.urls import reverse

    name = "bulletins:issue_detail"
    assert registry.reverse_pk(name, 7) == reverse(name, kwargs={"pk": 7})
    with override_script_prefix("/portal/"):
        expected = reverse(name, kwargs={"pk": 8})
        assert expected.startswith("/portal/")
        assert registry.reverse_pk(name, 8) == expected
        with registry.routes_pinned():
            assert registry.reverse_pk(name, 8) == expected
    with registry.routes_pinned():
        assert registry.reverse_pk(name, 9) == reverse(name, kwargs={"pk": 9})
        with override_script_prefix("/other/"):  # pinned: the prefix on entering
            assert registry.reverse_pk(name, 9) == reverse(name, kwargs={"pk": 9}).replace(
                "/other/", "/"
            )
    assert registry.reverse_pk(name, 9) == reverse(name, kwargs={"pk": 9})


def test_kinds_and_facets_follow_registering_and_unregistering():
    """kinds() and facets() are worked out once per version of the registry."""
    before = registry.version()
    names = [kind.name for kind in registry.kinds()]
    assert "notice" not in names and "board" not in registry.facets()
    kind = registry.register(NoticeKind())
    try:
        assert registry.version() != before
        assert [k.name for k in registry.kinds()] == [*names, "notice"]
        assert registry.facets()["board"] == (kind.facet, ["notice"])
        registry.kinds().clear()  # a caller's copy
        registry.facets()["board"][1].clear()
        assert registry.kinds()[-1] is kind and registry.facets()["board"][1] == ["notice"]
    finally:
        registry.unregister(kind.name)
    assert [k.name for k in registry.kinds()] == names and "board" not in registry.facets()
