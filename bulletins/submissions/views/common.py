"""What the 信息报送 pages share: fetching through ``visible_to``, the editor's CSP nonce,
one-button steps, private cache headers."""

from csp.constants import NONCE
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.cache import cache_control
from js_asset import Media

from portal.admin import refusal_text

from ..forms import CommentForm
from ..models import Submission

private = cache_control(private=True, no_cache=True)


def get_submission(request, pk) -> Submission:
    """The piece ``pk`` if the user may see it, else 404."""
    return get_object_or_404(
        Submission.objects.visible_to(request.user).select_related("unit", "category"), pk=pk
    )


def with_editor(request, context: dict, form) -> dict:
    """Give the form's media (the rich-text editor) this request's CSP nonce; the
    response must then carry ``editor_csp`` (bulletins/admin/editor.py does the same)."""
    context["media"] = Media.from_media(form.media, nonce=str(request.csp_nonce))
    return context


def editor_csp(response):
    response._csp_update = {"script-src": [NONCE]}
    return response


def step(request, submission, call, done: str, *, comment: bool = False):
    """A one-form step on the piece's page: ``call(submission=, by=, version=[, comment=])``;
    its refusal or ``done`` as a message, then back to the piece."""
    form = CommentForm(request.POST)
    form.is_valid()
    kwargs = {"submission": submission, "by": request.user}
    kwargs["version"] = form.cleaned_data.get("version")
    if comment:
        kwargs["comment"] = form.cleaned_data.get("comment", "")
    try:
        call(**kwargs)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_text(exc))
        if comment:
            # The comment typed is kept for the next try.
            request.session[f"submission-comment-{submission.pk}"] = kwargs.get("comment", "")
    else:
        messages.success(request, done)
    return redirect("submissions:detail", pk=submission.pk)
