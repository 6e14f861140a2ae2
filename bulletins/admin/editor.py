"""The CSP nonce that lets the rich-text editor's import map run on the admin's change forms."""

from csp.constants import NONCE
from js_asset import Media


class EditorNonceMixin:
    """Let the rich-text editor's import map run under the site CSP (script-src 'self').

    django-prose-editor loads ES modules through an inline ``<script type="importmap">``,
    which 'self' alone blocks. Only on the change forms that carry the editor, the
    media are rendered with this request's CSP nonce and the nonce is added to
    script-src; every other page keeps the site policy unchanged.
    """

    def render_change_form(self, request, context, *args, **kwargs):
        nonce = str(request.csp_nonce)
        context["media"] = Media.from_media(context["media"], nonce=nonce)
        response = super().render_change_form(request, context, *args, **kwargs)
        response._csp_update = {"script-src": [NONCE]}
        return response
