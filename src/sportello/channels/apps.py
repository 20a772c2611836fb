from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "sportello.channels"
    label = "channels"
    verbose_name = _("Canali: voce, SMS, fax, e-mail")

    def ready(self) -> None:
        # The checks register themselves; the tasks are registered in every process, so that
        # services can queue them by name (tasks import services, never the reverse).
        from sportello.channels import checks, tasks  # noqa: F401
