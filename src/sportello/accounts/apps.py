from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "sportello.accounts"
    label = "accounts"
    verbose_name = _("Utenti e ruoli")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from sportello.accounts.roles import roles_grant_permissions

        # After every app: each app's permissions exist only once its own post_migrate has run.
        post_migrate.connect(roles_grant_permissions)

        from sportello.accounts import checks, receivers  # noqa: F401  (registers them)
