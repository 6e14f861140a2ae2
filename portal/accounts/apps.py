from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_office_group(sender, using="default", **kwargs):
    from .roles import ensure_role_groups
    from .services import ensure_office_group

    ensure_office_group(using=using)
    ensure_role_groups(using=using)


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("账号")

    def ready(self):
        post_migrate.connect(_ensure_office_group, dispatch_uid="accounts.office_group")
        # Password history, first-sign-in change, sessions ended with the account.
        from . import signals, two_factor  # noqa: F401
