from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "sportello.channels"
    label = "channels"
    verbose_name = _("Canali: voce, SMS, fax, e-mail")

    def ready(self) -> None:
        from sportello.channels import checks  # noqa: F401  (registers the checks)
