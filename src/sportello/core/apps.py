from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sportello.core"
    label = "core"
    verbose_name = _("Configurazione del Comune")

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from sportello.core import checks  # noqa: F401  (registers system checks)
        from sportello.core.storage import storage_settings_changed

        setting_changed.connect(storage_settings_changed)
