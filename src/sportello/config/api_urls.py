"""The REST API (outside the language prefixes): /api/v1/…, the OpenAPI schema and its docs."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from sportello.alerts import api as alerts_api
from sportello.alerts import api_public as alerts_public_api
from sportello.core.access import OPERATOR, PUBLIC
from sportello.core.api import api_not_found
from sportello.permits import camera_views as permits_camera


def _declare(view, level: str):
    view.sportello_access = level
    return view


urlpatterns = [
    # The cameras' plate list (issue 18): a gate system's token, not a session.
    path(
        "v1/permessi/targhe/",
        _declare(permits_camera.PlateListView.as_view(), PUBLIC),
        name="api-permits-plates",
    ),
    path(
        "v1/permessi/targhe/<str:plate>/storico/",
        _declare(permits_camera.PlateHistoryView.as_view(), PUBLIC),
        name="api-permits-plate-history",
    ),
    path(
        "v1/allerta/iscrizioni/nuova/",
        _declare(alerts_api.SubscribeView.as_view(), PUBLIC),
        name="api-alerts-subscribe",
    ),
    path(
        "v1/allerta/verifiche/<str:handle>/",
        _declare(alerts_api.VerifyView.as_view(), PUBLIC),
        name="api-alerts-verify",
    ),
    path(
        "v1/allerta/iscrizioni/",
        _declare(alerts_api.SubscriptionList.as_view(), OPERATOR),
        name="api-alerts-subscriptions",
    ),
    path(
        "v1/allerta/iscrizioni/<int:pk>/",
        _declare(alerts_api.SubscriptionDetail.as_view(), OPERATOR),
        name="api-alerts-subscription",
    ),
    # Public alerts for apps (issue 6): read-only, no authentication, cacheable.
    path(
        "v1/allerta/avvisi/attivi/",
        _declare(alerts_public_api.ActiveAlertsView.as_view(), PUBLIC),
        name="api-alerts-active",
    ),
    path(
        "v1/allerta/avvisi/attivi.geojson",
        _declare(alerts_public_api.ActiveAlertsGeoJSONView.as_view(), PUBLIC),
        name="api-alerts-active-geojson",
    ),
    path(
        "v1/allerta/avvisi/<uuid:identifier>/",
        _declare(alerts_public_api.AlertDetailView.as_view(), PUBLIC),
        name="api-alerts-alert",
    ),
    path("schema/", _declare(SpectacularAPIView.as_view(), PUBLIC), name="api-schema"),
    path(
        "docs/",
        # The split view serves its start-up script from a URL of its own: no inline script,
        # as the Content-Security-Policy requires.
        _declare(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="api/swagger_ui.html"
            ),
            PUBLIC,
        ),
        name="api-docs",
    ),
    # Last: whatever else is asked under /api/ gets a JSON 404 (the schema promises JSON).
    re_path(r"^(?P<path>.*)$", _declare(api_not_found, PUBLIC), name="api-not-found"),
]
