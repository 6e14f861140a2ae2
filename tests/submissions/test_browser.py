"""Chromium: renshe writes a piece in the rich-text editor and sends it, its leader signs
it off, the office adopts it into a draft issue and publishes the issue, and renshe
sees 已采用 and the unit's points; readers see （市人社局供稿）."""

import pytest

from bulletins.models import Issue
from bulletins.submissions.models import ScoringRule, Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_write_sign_off_adopt_publish_and_see_the_points(
    signed_in_page, live_server, today, user_a, leader_a, office_user, category, draft_issue
):
    ScoringRule.objects.create(year=today.year, monthly_quota=0)  # 1 a piece + 3 本刊
    problems = []
    renshe = signed_in_page("renshe")
    renshe.on("pageerror", lambda e: problems.append(str(e)))
    renshe.goto(f"{live_server.url}/submissions/")
    renshe.click("a.button:has-text('写信息')")
    renshe.select_option("#id_category", label="工作动态")
    renshe.fill("#id_title", "市人社局举办职业技能大赛")
    editor = renshe.locator(".ProseMirror:visible").first
    editor.wait_for(state="visible")
    editor.click()
    renshe.keyboard.type("全市38家企业、260名职工参赛。")
    renshe.fill("#id_author", "李敏")
    renshe.fill("#id_author_phone", "0518-85800001")
    renshe.click("button:has-text('保存')")
    assert "已保存" in renshe.inner_text("main")
    renshe.click("button:has-text('报送')")
    assert "待审签" in renshe.inner_text("main")

    lead = signed_in_page("renshe_lead")
    lead.goto(f"{live_server.url}/")
    assert "1 篇信息待您审签" in lead.inner_text("main")
    lead.goto(f"{live_server.url}/submissions/")
    lead.click("text=市人社局举办职业技能大赛")
    lead.click("button:has-text('审签通过')")
    assert "已审签" in lead.inner_text("main")

    office = signed_in_page("office")
    office.goto(f"{live_server.url}/submissions/")
    office.click("text=市人社局举办职业技能大赛")
    office.check(f"input[name=issue][value='{draft_issue.pk}']")
    office.check("input[name=mode][value=article]")
    office.click("button:has-text('采用') >> nth=0")
    assert "已采用到" in office.inner_text("main")
    office.goto(f"{live_server.url}/admin/bulletins/issue/")
    office.check(f"input.action-select[value='{draft_issue.pk}']")
    office.select_option("select[name=action]", "publish_now")
    office.click("button[name=index]")
    office.wait_for_load_state()
    assert Issue.objects.get(pk=draft_issue.pk).status == Issue.Status.PUBLISHED

    renshe.goto(f"{live_server.url}/submissions/")
    main = renshe.inner_text("main")
    assert "已采用" in main
    assert renshe.inner_text("[data-points]") == "4.0"
    renshe.goto(f"{live_server.url}/bulletins/{draft_issue.pk}/")
    assert "（市人社局供稿）" in renshe.inner_text("main")
    assert "全市38家企业、260名职工参赛。" in renshe.inner_text("main")
    assert Submission.objects.get().status == Submission.Status.ADOPTED
    assert problems == []


def test_the_pages_fit_a_phone(signed_in_page, live_server, user_a, office_user, unit_a, category):
    from tests.factories import make_submission

    ScoringRule.objects.create(year=2026)
    long_title = "市人社局关于开展2026年度“技能强市”职业技能等级认定扩面工作的情况报告" * 2
    piece = make_submission(unit_a, "pending", title=long_title)
    for username, paths in (
        ("renshe", ["/submissions/", "/submissions/new/", f"/submissions/{piece.pk}/"]),
        ("office", ["/submissions/", f"/submissions/{piece.pk}/", "/submissions/points/"]),
    ):
        page = signed_in_page(username)
        page.set_viewport_size({"width": 375, "height": 740})
        for path in paths:
            page.goto(live_server.url + path)
            # The editor's toolbar icons are a web font: measure once it has loaded.
            page.evaluate("document.fonts.ready.then(() => true)")
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, (username, path)
