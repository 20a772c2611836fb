from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "sportello.accounts"
    label = "accounts"
    verbose_name = _("Utenti e ruoli")

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from sportello.accounts.roles import roles_grant_permissions

        # Once, after the last app's post_migrate: an app's permissions exist only after its
        # own (Django sends the signal app by app, in INSTALLED_APPS order).
        last = [config for config in apps.get_app_configs() if config.models_module][-1]
        post_migrate.connect(roles_grant_permissions, sender=last)

        # Checks and receivers register themselves; the tasks are registered in every process,
        # so that services can queue them by name (tasks import services, never the reverse).
        from sportello.accounts import checks, receivers, tasks  # noqa: F401
