"""The coverage map of the alert console (included by console/urls.py)."""

from django.urls import path

from sportello.alerts.console import coverage, coverage_csv

urlpatterns = [
    path("copertura/", coverage.console_coverage, name="console_coverage"),
    path(
        "copertura/punti.geojson",
        coverage.console_coverage_points,
        name="console_coverage_points",
    ),
    path("copertura/strade.csv", coverage_csv.console_coverage_csv, name="console_coverage_csv"),
]
