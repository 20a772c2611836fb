from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "sportello.payments"
    label = "payments"
    verbose_name = _("Pagamenti pagoPA")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the system checks and the tasks the services queue by name.
        from sportello.payments import checks, tasks  # noqa: F401
        from sportello.payments.hooks import payment_service_register

        payment_service_register(key="demo", label=_("Pagamenti di prova (mensa, trasporto)"))

        from sportello.core.personal_area import personal_area_register
        from sportello.payments.selectors import personal_area_payments

        personal_area_register(personal_area_payments)
