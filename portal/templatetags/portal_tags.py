"""Site-wide template tags: the frame every page shares (``portal/chrome.py``)."""

from django import template

from portal import chrome
from portal.pagination import pagination_html

register = template.Library()


@register.simple_tag
def site_styles():
    """The site's style sheets (``<link>`` elements)."""
    return chrome.styles()


@register.simple_tag(takes_context=True)
def session_attrs(context):
    """The ``<body>`` attributes of the idle sign-out, on signed-in pages."""
    return chrome.session_attrs(context)


@register.simple_tag(takes_context=True)
def site_header(context):
    """The skip link and the site header, navigation included."""
    return chrome.header(context)


@register.simple_tag(takes_context=True)
def site_footer(context):
    """The idle sign-out's warning (signed-in pages) and the site footer."""
    return chrome.footer(context)


@register.simple_tag(takes_context=True)
def pagination_nav(context):
    """The list's page links (``portal.pagination.pagination_html``) for ``page``."""
    return pagination_html(context.get("request"), context.get("page"))
