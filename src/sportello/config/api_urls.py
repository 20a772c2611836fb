"""The REST API (outside the language prefixes): /api/v1/…, the OpenAPI schema and its docs."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from sportello.alerts import api as alerts_api
from sportello.core.access import OPERATOR, PUBLIC


def _declare(view, level: str):
    view.sportello_access = level
    return view


urlpatterns = [
    path(
        "v1/allerta/iscrizioni/nuova/",
        _declare(alerts_api.SubscribeView.as_view(), PUBLIC),
        name="api-alerts-subscribe",
    ),
    path(
        "v1/allerta/verifiche/<int:verification_id>/",
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
    path("schema/", _declare(SpectacularAPIView.as_view(), PUBLIC), name="api-schema"),
    path(
        "docs/",
        _declare(SpectacularSwaggerView.as_view(url_name="api-schema"), PUBLIC),
        name="api-docs",
    ),
]
