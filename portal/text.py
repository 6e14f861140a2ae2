"""Plain text in and out: one normalisation for every text a person or a file brings in.

Text pasted from Word and WPS carries control characters: U+000B (Word's soft
return, Shift+Enter), U+000C (page break), U+0001…U+001F, U+007F and the C1
block. XML 1.0 (Atom feed), openpyxl (xlsx) and RFC 5545 (.ics) refuse them, and a
database row that holds one breaks every page that writes it out.

``normalize_text`` is the one function: the Unicode mandatory line breaks (UAX #14
classes BK, CR, LF, NL: U+000A…U+000D, U+0085, U+2028, U+2029) become "\\n", CR LF
becomes one "\\n", every other C0 and C1 control and DEL is removed, tab is kept.
The model fields below apply it on every write path (forms, admin, services,
imports, ``bulk_create``, ``QuerySet.update``), and the form field applies it
before validation so what is checked is what is stored. Outputs (feed, xlsx, .ics,
PDF, ZIP names, search snippets) pass their text through it as well, so a row
written before this rule (or by raw SQL) cannot break them.
"""

import re

from django import forms
from django.db import models

# CR LF first, so the pair becomes one line break.
_LINE_BREAKS = re.compile("\r\n|[\n\x0b\x0c\r\x85\u2028\u2029]")
# C0 except tab and LF (line breaks were turned into LF first), DEL, C1; and the
# non-characters U+FFFE/U+FFFF, which XML 1.0 refuses too.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SPACES = re.compile("[\t\n]+")


def normalize_text(value, *, multiline: bool = True):
    """Text with control characters resolved (see the module docstring).

    ``value``: a str (anything else, ``None`` included, is returned unchanged).
    ``multiline=False`` (one-line fields such as titles): line breaks and tabs
    become one space each run. Never raises; the result is never longer than
    the input, so a length limit checked after it still holds.
    """
    if not isinstance(value, str):
        return value
    if not value.isprintable() or "\r" in value:
        value = _CONTROLS.sub("", _LINE_BREAKS.sub("\n", value))
    if not multiline and ("\n" in value or "\t" in value):
        value = _SPACES.sub(" ", value)
    return value


def one_line(value):
    """``normalize_text(value, multiline=False)``: for titles, names, file names."""
    return normalize_text(value, multiline=False)


class CleanFormField(forms.CharField):
    """A form CharField that normalises its input before the usual checks.

    ``multiline``: keep line breaks (text areas) or fold them into spaces.
    """

    def __init__(self, *, multiline: bool = True, **kwargs):
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(normalize_text(value, multiline=self.multiline))


class _CleanTextMixin:
    multiline = True

    def _clean(self, value):
        return normalize_text(value, multiline=self.multiline)

    def to_python(self, value):
        # Model.full_clean() (ModelForm, admin) stores what this returns on the instance.
        return self._clean(super().to_python(value))

    def pre_save(self, model_instance, add):
        # save() and bulk_create(): normalise, and keep the instance in step with the row.
        value = self._clean(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        # QuerySet.update() and bulk_update() skip pre_save(); they still pass here.
        return self._clean(super().get_prep_value(value))

    def formfield(self, **kwargs):
        if self.choices is None:
            kwargs.setdefault("form_class", CleanFormField)
            kwargs.setdefault("multiline", self.multiline)
        return super().formfield(**kwargs)

    def deconstruct(self):
        # Stored like the plain field: migrations and history tables need no change.
        name, path, args, kwargs = super().deconstruct()
        return name, path.replace("portal.text.Clean", "django.db.models."), args, kwargs


class CleanCharField(_CleanTextMixin, models.CharField):
    """A one-line CharField whose value is always stored normalised (``one_line``)."""

    multiline = False


class CleanTextField(_CleanTextMixin, models.TextField):
    """A TextField whose value is always stored normalised (``normalize_text``)."""
