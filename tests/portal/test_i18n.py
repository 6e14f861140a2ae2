"""Chinese for what Django and the packages leave in English, from the project's catalogue
(locale/), and compiled catalogues that say what their sources say."""

import gettext
import json
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.factories import make_issue

LOCALE = Path(settings.BASE_DIR) / "locale"


def test_admin_index_names_its_table_columns_in_chinese(office_client):
    html = office_client.get("/admin/").content.decode()
    for english in ("Model name", "Add link", "Change or view list link"):
        assert english not in html
    assert "模型名称" in html and "修改或查看列表链接" in html


def test_admin_greets_by_name_without_an_english_full_stop(office_client, office_user):
    office_user.last_name = "徐明"
    office_user.save()
    html = office_client.get("/admin/").content.decode()
    assert "欢迎，<strong>徐明</strong>" in html
    assert "</strong>." not in html
    # One term per idea: the admin signs out with the site's word.
    assert ">退出</button>" in html and "注销" not in html


def test_admin_search_box_is_named_in_chinese(office_client):
    html = office_client.get("/admin/bulletins/issue/").content.decode()
    assert 'alt="搜索"' in html and 'aria-label="搜索"' in html
    assert 'alt="Search"' not in html


def test_admin_script_catalogue_translates_the_picker_and_the_editor(office_client):
    text = office_client.get("/admin/jsi18n/").content.decode("utf-8")
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});", text, re.S).group(1))
    picker = 'Choose %s by selecting them and then select the "Choose" arrow button.'
    assert catalog[picker] == "选中要添加的%s，再点击“选择”箭头按钮。"
    assert catalog["Choose all %s"] == "全部选择%s"
    assert catalog["Remove all %s"] == "全部移除%s"
    assert catalog["bold"] == "加粗"
    assert catalog["Heading 2"] == "二级标题"


def test_user_form_help_is_chinese(office_client):
    html = office_client.get("/admin/accounts/user/add/").content.decode()
    assert "you’ll be able to edit more user options" not in html


def test_issue_list_offers_an_rss_subscription_explained(anon_client, db):
    make_issue("published")
    html = anon_client.get("/bulletins/").content.decode()
    assert "RSS 订阅" in html
    assert "新的公开简报发布后自动收到" in html
    assert "Atom" not in html


def test_task_ordering_choices_are_all_chinese(office_client):
    html = office_client.get("/tasks/overview/").content.decode()
    assert ">完成时限（早→晚）</option>" in html and ">编号</option>" in html
    assert ">Due</option>" not in html and ">Number</option>" not in html


def _catalogues():
    return sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def test_there_are_catalogues():
    names = {(p.parent.parent.name, p.stem) for p in _catalogues()}
    assert {("zh_Hans", "django"), ("zh_Hans", "djangojs")} <= names


@pytest.mark.parametrize("po_path", _catalogues(), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_compiled_catalogue_matches_its_source(po_path):
    """The committed .mo says what its .po says (run ``manage.py compilemessages``)."""
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing: run manage.py compilemessages"
    expected = {}
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete or entry.fuzzy or not entry.translated():
            continue
        key = entry.msgid if not entry.msgctxt else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural:
            for n, text in entry.msgstr_plural.items():
                expected[(key, int(n))] = text
        else:
            expected[key] = entry.msgstr
    with mo_path.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog
    compiled = {k: v for k, v in compiled.items() if k != ""}
    stale = sorted(set(expected.items()) ^ set(compiled.items()), key=str)
    assert not stale, f"{mo_path} is stale, run manage.py compilemessages: {stale[:10]}"
