"""Public pages of the alerts (included at /allerta/avvisi/ in the "alerts" namespace)."""

from django.urls import path

from sportello.alerts.public import views

urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("archivio/", views.public_archive, name="public_archive"),
    path("archivio/allerte.csv", views.public_archive_csv, name="public_archive_csv"),
    path(
        "archivio/<uuid:identifier>.json",
        views.public_archive_alert,
        name="public_archive_alert",
    ),
    path("<uuid:identifier>/", views.public_alert, name="public_alert"),
]
