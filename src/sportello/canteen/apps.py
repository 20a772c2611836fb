from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CanteenConfig(AppConfig):
    name = "sportello.canteen"
    label = "canteen"
    verbose_name = _("Mensa scolastica")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the tasks the services queue by name.
        from sportello.canteen import tasks  # noqa: F401
        from sportello.canteen.credit import canteen_payment_register

        canteen_payment_register()

        from sportello.canteen.selectors import personal_area_canteen
        from sportello.core.personal_area import personal_area_register

        personal_area_register(personal_area_canteen)
