"""Reading area pages: the list, the year archive, one issue in the official layout, meetings."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bulletins.models import AgendaItem, Article, Issue
from tests.bulletins.reading_list import titles, year_links
from tests.factories import (
    INTERNAL,
    PUBLIC,
    SeriesFactory,
    UnitFactory,
    add_cover,
    make_attachment,
    make_issue,
    make_meeting,
)

pytestmark = pytest.mark.django_db

LIST = "/bulletins/"


def _detail(issue):
    return reverse("bulletins:issue_detail", args=[issue.pk])


# --- the list ----------------------------------------------------------------------


def test_list_shows_twenty_newest_first_and_pages(anon_client):
    for n in range(1, 26):
        make_issue("published", PUBLIC, number=n, title=f"简报{n:02d}", issue_date=date(2020, 1, n))
    first = anon_client.get(LIST)
    assert first.status_code == 200
    assert titles(first) == [f"简报{n:02d}" for n in range(25, 5, -1)]
    second = anon_client.get(LIST, {"page": 2})
    assert titles(second) == [f"简报{n:02d}" for n in range(5, 0, -1)]
    assert "第 2 / 2 页" in second.content.decode()


@pytest.mark.parametrize("page", ["3", "0", "-1", "abc", "99999999999999999999999"])
def test_page_out_of_range_is_404_not_500(anon_client, page):
    for n in range(1, 22):
        make_issue("published", PUBLIC, number=n)
    assert anon_client.get(LIST, {"page": page}).status_code == 404


def test_empty_list_has_a_first_page(anon_client):
    response = anon_client.get(LIST)
    assert response.status_code == 200
    assert "暂无简报" in response.content.decode()


def test_internal_issues_listed_with_a_badge_only_to_signed_in_users(anon_client, client_a):
    make_issue("published", INTERNAL, title="内部简报甲")
    make_issue("published", PUBLIC, title="公开简报乙")
    anon = anon_client.get(LIST).content.decode()
    assert "公开简报乙" in anon and "内部简报甲" not in anon
    assert 'badge--internal">内部<' not in anon
    member = client_a.get(LIST).content.decode()
    assert "内部简报甲" in member
    assert member.count('badge--internal">内部<') == 1


def test_office_list_shows_published_issues_only(office_client):
    make_issue("published", PUBLIC, title="已发布的简报")
    make_issue("draft", PUBLIC, title="草稿简报")
    make_issue("withdrawn", PUBLIC, title="撤回的简报")
    assert titles(office_client.get(LIST)) == ["已发布的简报"]


def test_unit_user_sees_which_issues_the_unit_acknowledged(client_a):
    done = make_issue("published", PUBLIC, title="已签收的")
    make_issue("published", PUBLIC, title="未签收的")
    client_a.post(reverse("bulletins:issue_acknowledge", args=[done.pk]))
    html = client_a.get(LIST).content.decode()
    assert html.count('badge--done">已签收<') == 1
    assert html.count('badge--todo">未签收<') == 1


def test_year_links_with_counts_and_the_year_archive(anon_client):
    for n in range(1, 4):
        make_issue("published", PUBLIC, year=2019, number=n, title=f"2019年简报{n}")
    make_issue("published", PUBLIC, year=2020, number=1, title="2020年简报1")
    make_issue("published", INTERNAL, year=2020, number=2, title="2020年内部简报")
    response = anon_client.get(LIST)
    assert year_links(response) == {2020: 1, 2019: 3}  # counts only what the visitor may see
    html = response.content.decode()
    assert 'href="/bulletins/archive/2019/"' in html
    archive = anon_client.get(reverse("bulletins:year_archive", args=[2019]))
    assert archive.status_code == 200
    assert sorted(titles(archive)) == ["2019年简报1", "2019年简报2", "2019年简报3"]
    assert "2019年简报" in archive.content.decode()


def test_year_archive_without_visible_issues_is_404(anon_client, client_a):
    make_issue("published", INTERNAL, year=2018)
    assert anon_client.get("/bulletins/archive/2018/").status_code == 404
    assert client_a.get("/bulletins/archive/2018/").status_code == 200
    assert anon_client.get("/bulletins/archive/1999/").status_code == 404


def test_list_shows_the_cover_thumbnail_through_the_cover_view(anon_client):
    issue = add_cover(make_issue("published", PUBLIC))
    html = anon_client.get(LIST).content.decode()
    assert f'src="/bulletins/{issue.pk}/cover/"' in html
    assert issue.cover_thumbnail.name not in html  # never the storage path


def test_anonymous_list_may_be_cached_but_a_members_list_is_private(anon_client, client_a):
    make_issue("published", PUBLIC)
    assert "private" not in anon_client.get(LIST).get("Cache-Control", "")
    assert "private" in client_a.get(LIST)["Cache-Control"]


# --- one issue in the official layout -------------------------------------------------


@pytest.fixture
def no4():
    series = SeriesFactory(name="市工投集团产业工人队伍建设改革简报")
    issue = make_issue(
        "published",
        INTERNAL,
        series=series,
        year=2020,
        number=4,
        total_number=35,
        title="全市产业工人队伍建设改革试点工作部署推进会议主要精神",
        issue_date=date(2020, 6, 2),
        articles=0,
    )
    Article.objects.create(
        issue=issue,
        order=1,
        title="全市产业工人队伍建设改革试点工作部署推进会议主要精神",
        body=(
            "<p>6月1日，在市行政中心350会议室，召开了全市产业工人队伍建设改革试点工作部署推进会。</p>"
            "<h2>一、徐家保副市长宣读了项书记批示，传达了省试点工作会议精神。</h2>"
            "<h3>（一）回顾前期我市产改工作阶段工作成效</h3>"
            "<p>一是工作推进更具合力。</p>"
        ),
    )
    return issue


def test_issue_in_the_official_layout(client_a, no4):
    html = client_a.get(_detail(no4)).content.decode()
    masthead = html[html.index('class="doc-masthead"') : html.index("doc-article")]
    assert "市工投集团产业工人队伍建设改革" in masthead
    assert '<span class="doc-masthead__kind">简报</span>' in masthead
    assert "第四期" in masthead
    assert "总第35期" in masthead
    assert "工投集团公司产改领导小组办公室" in masthead
    assert "2020年6月2日" in masthead
    assert "内部资料　注意保存" in html
    assert html.index("内部资料") < html.index("doc-masthead__name")
    assert (
        '<h2 class="doc-article__title">全市产业工人队伍建设改革试点工作部署推进会议主要精神</h2>'
        in html
    )
    assert "<h2>一、徐家保副市长宣读了项书记批示" in html
    assert "<h3>（一）回顾前期" in html
    colophon = html[html.index('class="doc-colophon"') :]
    assert "抄送：" in colophon
    assert "各直属单位、集团各部门。" in colophon
    assert "2020年6月2日印发" in colophon
    assert f'href="/bulletins/{no4.pk}/pdf/"' in html
    assert "下载 PDF" in html
    assert "css/bulletin.css" in html


def test_public_issue_has_no_classification_mark(anon_client):
    issue = make_issue("published", PUBLIC)
    assert "内部资料" not in anon_client.get(_detail(issue)).content.decode()


def test_distribution_from_units_when_there_is_no_line(anon_client):
    issue = make_issue("published", PUBLIC, distribution_line="")
    issue.distribution.add(UnitFactory(name="市国资委", ordering=1), UnitFactory(name="赣榆区委"))
    html = anon_client.get(_detail(issue)).content.decode()
    assert '抄送：</span><span class="doc-colophon__units">市国资委、赣榆区委。' in html


def test_printed_date_comes_from_printed_on(anon_client):
    issue = make_issue("published", PUBLIC, issue_date=date(2020, 6, 2))
    Issue.objects.filter(pk=issue.pk).update(printed_on=date(2020, 6, 3))
    assert "2020年6月3日印发" in anon_client.get(_detail(issue)).content.decode()


def test_attachments_listed_with_human_sizes_and_download_links(anon_client):
    issue = make_issue("published", PUBLIC)
    attachment = make_attachment(issue, name="讲话全文.pdf", title="胡建军同志讲话全文")
    attachment.size = int(1.2 * 1024 * 1024)
    attachment.save(update_fields=["size"])  # a save: the page's stored copy follows
    html = anon_client.get(_detail(issue)).content.decode().replace("\xa0", " ")
    assert f'href="/bulletins/{issue.pk}/attachments/{attachment.pk}/"' in html
    assert "胡建军同志讲话全文" in html
    assert "1.2 MB" in html
    assert attachment.file.name not in html


def test_inline_pictures_are_not_listed_as_attachments(anon_client):
    from tests.factories import make_image

    issue = make_issue("published", PUBLIC)
    make_image(issue, name="现场照片.png")
    assert "现场照片" not in anon_client.get(_detail(issue)).content.decode()


def test_article_body_is_cleaned_on_the_way_out(anon_client):
    issue = make_issue("published", PUBLIC, articles=0, title="<script>alert(1)</script>标题")
    Article.objects.create(
        issue=issue,
        title="<b>文章</b>",
        body=(
            '<p onclick="steal()">正文<script>alert(2)</script></p>'
            '<a href="javascript:alert(3)">链接</a><img src="x" onerror="alert(4)">'
            f'<img src="/bulletins/{issue.pk}/images/1/" alt="图">'
        ),
    )
    html = anon_client.get(_detail(issue)).content.decode()
    assert "<script>alert" not in html
    assert "onclick" not in html and "onerror" not in html
    assert "javascript:" not in html
    assert "&lt;b&gt;文章&lt;/b&gt;" in html
    assert f'src="/bulletins/{issue.pk}/images/1/"' in html


def test_plain_text_body_becomes_paragraphs(anon_client):
    issue = make_issue("published", PUBLIC, articles=0)
    Article.objects.create(issue=issue, title="纯文本", body="第一段 1 < 2\n\n第二段")
    html = anon_client.get(_detail(issue)).content.decode()
    assert "<p>第一段 1 &lt; 2</p>" in html
    assert "<p>第二段</p>" in html


@pytest.mark.parametrize(
    ("state", "banner"),
    [
        ("draft", "草稿预览"),
        ("scheduled", "定时发布预览"),
        ("withdrawn", "已撤回"),
    ],
)
def test_office_preview_of_an_unpublished_issue_has_a_banner(office_client, state, banner):
    issue = make_issue(state, PUBLIC)
    response = office_client.get(_detail(issue))
    assert response.status_code == 200
    html = response.content.decode()
    assert banner in html
    assert 'class="doc-banner' in html
    assert "private" in response["Cache-Control"]


def test_published_issue_has_no_banner(office_client):
    issue = make_issue("published", PUBLIC)
    assert 'class="doc-banner' not in office_client.get(_detail(issue)).content.decode()


def test_internal_issue_page_is_private(client_a):
    issue = make_issue("published", INTERNAL)
    assert "private" in client_a.get(_detail(issue))["Cache-Control"]


def test_unknown_issue_is_404(anon_client):
    assert anon_client.get("/bulletins/999999/").status_code == 404


# --- meetings --------------------------------------------------------------------------


def test_meeting_record(anon_client):
    meeting = make_meeting(
        PUBLIC,
        title="全市产业工人队伍建设改革试点工作部署推进会",
        starts_at=timezone.make_aware(datetime(2020, 6, 1, 9, 0)),
        place="市行政中心350会议室",
        chair="王家全",
        leaders_present="胡建军、王家全、徐家保",
        attendees="市产改联席会成员和成员单位联络员",
        absent="张三",
        observers="",
        key_points="<p>会议主要三项议程。</p>",
    )
    for order, title in enumerate(["宣读批示", "交流发言", "领导讲话"], start=1):
        AgendaItem.objects.create(meeting=meeting, order=4 - order, title=title)
    issue = make_issue("published", PUBLIC, title="会议精神简报")
    meeting.issues.add(issue)
    html = anon_client.get(reverse("bulletins:meeting_detail", args=[meeting.pk])).content.decode()
    for text in [
        "市行政中心350会议室",
        "王家全",
        "胡建军、王家全、徐家保",
        "张三",
        "2020年6月1日 09:00",
    ]:
        assert text in html
    assert "会议主要三项议程。" in html
    assert "列席" not in html  # shown only when present
    assert html.index("会议主要三项议程") < html.index(
        "胡建军、王家全、徐家保"
    )  # lists follow the body
    assert html.index("领导讲话") < html.index("交流发言") < html.index("宣读批示")  # by order
    assert f'href="/bulletins/{issue.pk}/"' in html


def test_meeting_list_newest_first_and_paged(anon_client):
    base = timezone.now()
    for n in range(22):
        make_meeting(PUBLIC, title=f"会议{n:02d}", starts_at=base - timezone.timedelta(days=n))
    first = anon_client.get("/meetings/")
    meetings = [row["meeting"].title for row in first.context["rows"]]
    assert meetings == [f"会议{n:02d}" for n in range(20)]
    assert len(anon_client.get("/meetings/", {"page": 2}).context["rows"]) == 2
    assert anon_client.get("/meetings/", {"page": 3}).status_code == 404


# --- query counts do not grow with the data --------------------------------------------


def _queries(client, url):
    client.get(url)  # the idle sign-out's once-a-minute session write lands here
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _make_issues(count, *, start=0):
    series = [SeriesFactory(name=f"测试简报系列{n}") for n in range(3)]
    for n in range(start, start + count):
        issue = make_issue(
            "published",
            INTERNAL if n % 3 == 0 else PUBLIC,
            series=series[n % 3],
            year=2015 + n % 8,
            number=n + 1,
        )
        if n % 4 == 0:
            add_cover(issue)


@pytest.mark.parametrize("persona", ["anon", "unit_a"], indirect=True)
@pytest.mark.parametrize("url", [LIST, f"{LIST}?q=测试&page=1", "/bulletins/archive/2016/"])
def test_list_queries_do_not_grow_with_issues(persona, url, django_assert_num_queries):
    _make_issues(5)
    persona.get(url)  # warm up: session, first receipts
    small = _queries(persona, url)
    _make_issues(195, start=5)
    # Again just before counting: making 195 issues can take over a minute on a busy
    # machine, and the idle sign-out's once-a-minute session write is no list query.
    persona.get(url)
    with django_assert_num_queries(small):
        persona.get(url)
    assert small <= 10


def _make_issue_with(n_articles, n_attachments, n_units, n_meetings):
    issue = make_issue("published", PUBLIC, articles=n_articles, distribution_line="")
    for n in range(n_attachments):
        make_attachment(issue, name=f"附件{n}.pdf")
    issue.distribution.add(*[UnitFactory(name=f"抄送单位{n}") for n in range(n_units)])
    for n in range(n_meetings):
        make_meeting(PUBLIC, title=f"相关会议{n}").issues.add(issue)
    return issue


@pytest.mark.parametrize("persona", ["anon", "unit_a"], indirect=True)
def test_detail_queries_do_not_grow_with_issues_or_their_parts(persona, django_assert_num_queries):
    _make_issues(5)
    small_issue = _make_issue_with(1, 1, 1, 1)
    persona.get(_detail(small_issue))  # warm up: the first view creates the receipt
    small = _queries(persona, _detail(small_issue))
    _make_issues(195, start=5)
    big_issue = _make_issue_with(12, 10, 20, 4)
    persona.get(_detail(big_issue))
    with django_assert_num_queries(small):
        persona.get(_detail(big_issue))
    assert small <= 12


def test_office_detail_queries_are_constant(office_client, django_assert_num_queries):
    small_issue = _make_issue_with(1, 1, 1, 1)
    small = _queries(office_client, _detail(small_issue))
    big_issue = _make_issue_with(12, 10, 20, 4)
    with django_assert_num_queries(small):
        office_client.get(_detail(big_issue))
