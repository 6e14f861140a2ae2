"""The loops of the busiest reading pages place prepared values: no ``{% include %}``
and no translation lookup once per row (issue 11: the overview rendered 150 includes
and 435 translations a request). The overview now writes its loops in Python
(``tasks/overview_html.py``, ``tasks/charts.py``), as does the task list
(``tasks/html.py``: tests/tasks/test_list_rows.py compares it with its template)."""

import pytest
from django.template import engines
from django.template.defaulttags import ForNode
from django.template.loader_tags import IncludeNode
from django.templatetags.i18n import BlockTranslateNode, TranslateNode

LOOPING_TEMPLATES = [
    "bulletins/includes/filter_fields.html",
]
EXPENSIVE = (IncludeNode, TranslateNode, BlockTranslateNode)


def _nodes(nodelist):
    for node in nodelist:
        yield node
        for attr in getattr(node, "child_nodelists", ()):
            yield from _nodes(getattr(node, attr, None) or [])


def _loop_bodies(template):
    for node in _nodes(template.nodelist):
        if isinstance(node, ForNode):
            yield node.nodelist_loop


@pytest.mark.parametrize("name", LOOPING_TEMPLATES)
def test_no_include_or_translation_inside_a_loop(name):
    template = engines["django"].get_template(name).template
    bodies = list(_loop_bodies(template))
    assert bodies, "the template has a loop"
    inside = [
        type(node).__name__
        for body in bodies
        for node in _nodes(body)
        if isinstance(node, EXPENSIVE)
    ]
    assert inside == []


def test_the_check_sees_an_include_in_a_loop():
    template = engines["django"].from_string(
        '{% load i18n %}{% for x in xs %}{% if x %}{% include "tasks/includes/light.html" %}'
        '{% translate "灯" %}{% endif %}{% endfor %}'
    )
    inside = [type(n).__name__ for b in _loop_bodies(template.template) for n in _nodes(b)]
    assert "IncludeNode" in inside and "TranslateNode" in inside


def test_templates_are_compiled_once_per_process():
    """Django's cached loader (its default without DEBUG and without ``loaders``): each
    template and include is parsed once per process, not per request."""
    engine = engines["django"].engine
    assert engine.loaders[0][0] == "django.template.loaders.cached.Loader"
    first = engine.get_template("tasks/overview.html")
    assert engine.get_template("tasks/overview.html") is first
