"""Build the POST data of an admin change form from what the GET showed (like a browser)."""

from django.db.models.fields.files import FieldFile
from django.forms import BaseForm


def _form_data(form: BaseForm) -> dict:
    data = {}
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        widget_data = field.widget.format_value(value)
        key = form.add_prefix(name)
        if value is None or field.disabled:
            continue
        if hasattr(field.widget, "widgets"):  # SplitDateTimeWidget and friends
            for i, part in enumerate(field.widget.decompress(value)):
                if part is not None:
                    data[f"{key}_{i}"] = part
        elif isinstance(value, (list, tuple)):
            data[key] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, FieldFile):
            continue  # a stored file: the browser posts nothing
        else:
            data[key] = widget_data if isinstance(widget_data, str) else str(value)
    return data


def change_form_data(response) -> dict:
    """Every field of the main form and the inline formsets, as the page showed them."""
    context = response.context
    data = _form_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    return data
