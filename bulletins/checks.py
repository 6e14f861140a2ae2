"""System checks of the bulletins: the PDF's official faces are installed."""

from django.core.checks import Warning, register


@register()
def pdf_faces_installed(app_configs=None, **kwargs):
    """bulletins.W001 for each default PDF face missing on this machine (README, "PDF fonts")."""
    from .pdf_fonts import missing_default_faces

    return [
        Warning(
            f"PDF font {face.name} is not installed: the PDF uses Noto Sans SC in its place.",
            hint=f"`make run` installs it (Debian package {face.package}), or set the role's "
            "PDF_FONT_* variable to a font file.",
            id="bulletins.W001",
        )
        for face in missing_default_faces()
    ]
