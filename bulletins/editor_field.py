"""The rich-text editor's form field, in Chinese wherever it appears.

django-prose-editor writes its toolbar's titles in English; its widgets here add the
site's JavaScript catalogue (``/jsi18n/``, a classic script, so it has run before the
editor's modules read ``window.gettext``), ``static/js/editor-i18n.js`` (the toolbar in
Chinese, the editing area named after its label) and ``static/css/editor.css``.
"""

from django import forms
from django.contrib.admin.widgets import AdminTextareaWidget
from django.urls import reverse
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget, ProseEditorWidget


class _ChineseMedia:
    @property
    def media(self):
        return super().media + forms.Media(
            js=[reverse("javascript-catalog"), "js/editor-i18n.js"],
            css={"all": ["css/editor.css"]},
        )


class RichTextWidget(_ChineseMedia, ProseEditorWidget):
    """The editor on the site's own pages."""


class AdminRichTextWidget(_ChineseMedia, AdminProseEditorWidget):
    """The editor in the admin."""


def _is(widget, cls) -> bool:
    return isinstance(widget, cls) or (isinstance(widget, type) and issubclass(widget, cls))


class RichTextFormField(ProseEditorFormField):
    """ProseEditorFormField whose widget is one of the above (the admin's asks for a
    textarea widget, which ProseEditorFormField would swap for its own)."""

    def __init__(self, *args, **kwargs):
        widget = kwargs.get("widget")
        if widget and _is(widget, AdminTextareaWidget):
            kwargs["widget"] = AdminRichTextWidget
        elif not widget or not _is(widget, ProseEditorWidget):
            kwargs["widget"] = RichTextWidget
        super().__init__(*args, **kwargs)
