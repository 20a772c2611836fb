"""Top-level URL map: public pages are translated under i18n_patterns; admin is the back-office."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    path("backoffice/", admin.site.urls),
    path("stradario/", include("sportello.places.urls")),
    path("", include("sportello.core.urls")),
    prefix_default_language=False,
)

admin.site.site_header = "Sportello — back-office"
admin.site.site_title = "Sportello"
if settings.DEBUG:  # pragma: no cover - local convenience only
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
