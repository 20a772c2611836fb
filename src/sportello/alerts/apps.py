from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "sportello.alerts"
    label = "alerts"
    verbose_name = _("Allerta: iscrizioni e contatti")

    def ready(self) -> None:
        from sportello.alerts.flows import lines  # noqa: F401  (registers the IVR flows and lines)
