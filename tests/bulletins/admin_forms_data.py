"""Build the POST data of an admin change form from what the GET showed (like a browser)."""

from django.db.models.fields.files import FieldFile
from django.forms import BaseForm
from django.urls import reverse


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


def post_change_form(client, obj, **changes):
    """Post ``obj``'s admin change form as the page showed it, with ``changes`` (files too)."""
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    data = change_form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)
