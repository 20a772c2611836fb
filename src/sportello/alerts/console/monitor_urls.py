"""The monitor engineer's console pages: live progress, map of the people reached, reports."""

from django.urls import path

from sportello.alerts.console import monitor

urlpatterns = [
    path("<int:pk>/andamento/", monitor.console_monitor, name="console_monitor"),
    path("<int:pk>/andamento.json", monitor.console_progress, name="console_progress"),
    path("<int:pk>/andamento/mappa.geojson", monitor.console_map, name="console_map"),
    path("<int:pk>/resoconto.csv", monitor.console_report_csv, name="console_report_csv"),
    path("<int:pk>/resoconto.pdf", monitor.console_report_pdf, name="console_report_pdf"),
]
