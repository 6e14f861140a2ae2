"""Links from the admin to the reading area (preview, cover)."""

from django.urls import NoReverseMatch, reverse


def reader_url(name: str, pk: int, fallback: str) -> str:
    """A reading-area URL (bulletins-reader's URLconf), with the agreed path as fallback."""
    try:
        return reverse(f"bulletins:{name}", args=[pk])
    except NoReverseMatch:
        return fallback
