"""Every string marked for translation has a translation in each language the portal offers.

The marked strings are extracted as ``make messages`` extracts them (Django's
``makemessages``, GNU gettext's xgettext) from a copy of the source, so the committed
catalogues are never touched. Chinese is the source language: a Chinese msgid needs an
English translation; an English msgid (Django's and the packages' strings the project
translates, the editor's labels) needs a Chinese one.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation import to_locale

ROOT = Path(settings.BASE_DIR)
DOMAINS = ("django", "djangojs")
SOURCE_LANGUAGE = "zh-hans"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
NOT_SOURCE = {".git", ".venv", "tests", "bench", "build", "var", "staticfiles", "locale", "docs"}
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq", "msgattrib")


def _copy_of_the_source(target: Path) -> Path:
    def ignore(folder, names):
        top = Path(folder) == ROOT
        return [
            n
            for n in names
            if (top and (n in NOT_SOURCE or n.endswith(".egg-info")))
            or n == "__pycache__"
            or (
                os.path.isfile(os.path.join(folder, n))
                and not n.endswith((".py", ".html", ".txt", ".js"))
            )
        ]

    shutil.copytree(ROOT, target, ignore=ignore)
    return target


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    """{domain: {(msgctxt, msgid): "file:line"}} of every marked string in the source."""
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        reason = f"GNU gettext is not installed ({', '.join(missing)}; apt-get install gettext)"
        if os.environ.get("CI"):
            pytest.fail(f"the translation test cannot run under CI: {reason}")
        pytest.skip(reason)
    source = _copy_of_the_source(tmp_path_factory.mktemp("source") / "portal")
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "portal.settings"}
    found = {}
    for domain in DOMAINS:
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-d", domain, "-l", "en", "--no-wrap"],
            cwd=source,
            env=env,
            check=True,
            capture_output=True,
        )
        po = polib.pofile(str(source / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"))
        found[domain] = {
            (entry.msgctxt, entry.msgid): " ".join(f"{f}:{n}" for f, n in entry.occurrences[:2])
            for entry in po
            if not entry.obsolete
        }
    return found


def _translated(entry) -> bool:
    if entry.obsolete or entry.fuzzy:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def _needs_translation(language: str, msgid: str) -> bool:
    """Chinese msgids are the source text of zh-hans; English ones are the source of en."""
    chinese = bool(CJK.search(msgid))
    return not chinese if language == SOURCE_LANGUAGE else chinese


def test_the_portal_offers_chinese_and_english():
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_marked_string_is_translated(marked, language, domain):
    path = ROOT / "locale" / to_locale(language) / "LC_MESSAGES" / f"{domain}.po"
    catalogue = (
        {(e.msgctxt, e.msgid): e for e in polib.pofile(str(path))} if path.exists() else {}
    )
    missing = sorted(
        (where, msgid)
        for (context, msgid), where in marked[domain].items()
        if msgid
        and _needs_translation(language, msgid)
        and not _translated(catalogue.get((context, msgid), polib.POEntry()))
    )
    assert not missing, (
        f"{path.relative_to(ROOT)} lacks {len(missing)} translation(s); run `make messages`, "
        "translate these msgids, then `make messages` again to compile:\n"
        + "\n".join(f"  {msgid!r}  ({where})" for where, msgid in missing)
    )


@pytest.mark.django_db
def test_a_reader_whose_browser_asks_for_english_reads_english(anon_client):
    html = anon_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    assert "Member units sign in" in html and "成员单位登录" not in html
    html = anon_client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh").content.decode()
    assert '<html lang="zh-hans">' in html and "成员单位登录" in html
