"""Top-level URL map: public pages are translated under i18n_patterns; admin is the back-office."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, reverse
from django.views.generic import RedirectView


class _AdminLogin(RedirectView):
    """The back-office has no login of its own: everyone logs in on one page (with TOTP)."""

    def get_redirect_url(self, *args, **kwargs):
        query = self.request.META.get("QUERY_STRING", "")
        return reverse("accounts:login") + (f"?{query}" if query else "")


urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("sportello.config.api_urls")),
    # Providers' webhooks: outside the language prefixes, signed by the provider.
    path("canali/twilio/", include("sportello.channels.twilio_urls")),
    path("canali/kannel/", include("sportello.channels.kannel_urls")),
    # SPID and CIE ID (SAML2): fixed addresses, published in the federations' metadata.
    path("", include("sportello.accounts.spid.urls")),
]
urlpatterns += i18n_patterns(
    path("backoffice/login/", _AdminLogin.as_view(), name="backoffice_login"),
    path("backoffice/", admin.site.urls),
    path("", include("sportello.accounts.urls")),
    path("", include("sportello.registry.urls")),
    path("documenti/", include("sportello.documents.urls")),
    path("certificati/", include("sportello.certificates.urls")),
    path("", include("sportello.payments.urls")),
    path("", include("sportello.canteen.urls")),
    path("", include("sportello.permits.urls")),
    path("allerta/", include("sportello.alerts.urls")),
    path("simulatore-telefono/", include("sportello.channels.simulator_urls")),
    path("stradario/", include("sportello.places.urls")),
    path("", include("sportello.core.urls")),
    prefix_default_language=False,
)

admin.site.site_header = "Sportello — back-office"
admin.site.site_title = "Sportello"
if settings.DEBUG:  # pragma: no cover - local convenience only
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
