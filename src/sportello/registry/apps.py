from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "sportello.registry"
    label = "registry"
    verbose_name = _("Anagrafe")

    def ready(self) -> None:
        from sportello.core.personal_area import personal_area_register
        from sportello.registry.selectors import personal_area_corrections

        personal_area_register(personal_area_corrections)
