"""Messages of Django and the packages that their Simplified Chinese catalogues leave in English.

Django's zh_Hans catalogue lags behind its templates (the admin's screen-reader table
headers, strings reworded in 5.x), django-filter ships only ``zh_CN`` (which ``zh-hans``
never falls back to) and django-simple-history misses a few. Marking the exact msgids here
keeps them in the project's catalogue (``locale/``) through ``makemessages``; the
project's catalogue comes first in ``LOCALE_PATHS`` order, ahead of every package's.
Nothing imports this module at run time.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_ADMIN = [
    # admin/app_list.html: the screen-reader headers of every app's table.
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Error:"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
    # One term per idea: the admin signs out with the site's word (退出, not 注销).
    gettext_noop("Log out"),
    # Form labels end in Django's label suffix, which its zh_Hans catalogue leaves as
    # an ASCII colon ("审批:"); Chinese text takes the full-width one.
    gettext_noop(":"),
]

DJANGO_CORE = [
    gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
]

DJANGO_FILTER = [
    gettext_noop("%s (descending)"),
    gettext_noop("Ordering"),
    gettext_noop("Submit"),
    gettext_noop("All"),
    gettext_noop("Unknown"),
    gettext_noop("Yes"),
    gettext_noop("No"),
    gettext_noop("Today"),
    gettext_noop("Yesterday"),
    gettext_noop("Past 7 days"),
    gettext_noop("This month"),
    gettext_noop("This year"),
    gettext_noop("Multiple values may be separated by commas."),
    gettext_noop("Range query expects two values."),
    gettext_noop("Select a lookup."),
]

SIMPLE_HISTORY = [
    gettext_noop("Changes"),
    gettext_noop("View on site"),
    gettext_noop("Deleted %(type_name)s"),
    ngettext_lazy("entry", "entries", "count"),
]
