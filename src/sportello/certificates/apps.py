from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "sportello.certificates"
    label = "certificates"
    verbose_name = _("Certificati anagrafici")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the checks, the seal's receiver and the tasks the services queue by name.
        from sportello.certificates import checks, seal, tasks  # noqa: F401
        from sportello.certificates.stamp_payment import certificates_payment_register

        certificates_payment_register()

        from sportello.certificates.selectors import personal_area_certificates
        from sportello.core.personal_area import personal_area_register

        personal_area_register(personal_area_certificates)
