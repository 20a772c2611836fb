from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "sportello.permits"
    label = "permits"
    verbose_name = _("Permessi ZTL e ZSC")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sportello.core.personal_area import personal_area_register
        from sportello.permits.selectors import personal_area_permits
        from sportello.permits.services import (
            permits_payment_register,
            permits_residence_changed,
        )
        from sportello.registry.hooks import residence_changed_subscribe

        permits_payment_register()
        residence_changed_subscribe(permits_residence_changed)
        personal_area_register(personal_area_permits)
