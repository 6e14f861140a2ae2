"""Browser: the issue page on a 375 px phone keeps dates and codes whole in table cells,
and balances its titles (issue 16, as the PDF does)."""

import pytest

from bulletins.models import Visibility

from .reference import make_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLE = (
    "<table><tr><th>序号</th><th>任务</th><th>牵头单位</th><th>完成时限</th><th>依据</th></tr>"
    "<tr><td>1</td><td>建立健全产业工人技能形成体系</td><td>市人社局</td>"
    "<td>2020-09-30</td><td>GB/T 9704-2012</td></tr></table>"
)


def test_dates_in_table_cells_stay_on_one_line_on_a_phone(browser, live_server):
    issue = make_issue(
        visibility=Visibility.PUBLIC, body=TABLE, title="全市产业工人队伍建设改革试点工作部署推进会"
    )
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/bulletins/{issue.pk}/")
    lines = page.evaluate(
        """() => Array.from(document.querySelectorAll('.doc-body td')).map(td => {
            const range = document.createRange();
            range.selectNodeContents(td);
            const tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
            return [td.textContent, tops.size];
        })"""
    )
    cells = dict(lines)
    assert cells["2020-09-30"] == 1, lines
    title_lines = page.evaluate(
        """() => {
            const title = document.querySelector('.doc-article__title');
            const range = document.createRange();
            range.selectNodeContents(title);
            const rows = {};
            for (const r of range.getClientRects()) {
                const top = Math.round(r.top);
                rows[top] = (rows[top] || 0) + r.width;
            }
            return Object.values(rows);
        }"""
    )
    if len(title_lines) > 1:  # balanced: the last line is not a single character
        assert min(title_lines) > max(title_lines) / 3, title_lines
    context.close()
