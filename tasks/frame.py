"""The task pages' frame written in Python: what a template extending tasks/base.html
renders around its ``tasks_content`` block (base.html's frame through ``chrome.page``,
the task style sheet, the task navigation), character for character (issue 11: through
the template engine the frame cost about a millisecond of the overview's CPU)."""

from django.conf import settings
from django.utils.safestring import SafeString

from portal import chrome

from .templatetags.task_tags import tasks_nav


def page(request, *, title: str, content: str) -> SafeString:
    """The whole page of a task template whose title block is ``{% translate … %} ·
    {{ SITE_NAME }}`` (``title``: the translated words, plain text) and whose
    ``tasks_content`` block is ``content`` (safe markup)."""
    return chrome.page(
        request,
        title=f"{title} · {settings.SITE_NAME}",
        extra_head=f'<link rel="stylesheet" href="{chrome.static_url("css/tasks.css")}">',
        content=f"\n{tasks_nav({'request': request, 'user': request.user})}\n{content}\n",
    )
