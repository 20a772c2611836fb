from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "sportello.documents"
    label = "documents"
    verbose_name = _("Documenti")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sportello.documents import checks  # noqa: F401  (registers the checks)
