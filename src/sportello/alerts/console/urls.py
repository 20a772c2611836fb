"""The civil-protection console: compose, target, send and follow alerts (operators only).
Included under /allerta/operatori/allerte/ in the "alerts" namespace."""

from django.urls import include, path

urlpatterns = [
    path("", include("sportello.alerts.console.compose_urls")),
    path("", include("sportello.alerts.console.area_urls")),
    path("", include("sportello.alerts.console.monitor_urls")),
    path("", include("sportello.alerts.console.coverage_urls")),
]
