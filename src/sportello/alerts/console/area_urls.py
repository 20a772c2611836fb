"""Area and preview pages of the alert console (included by console/urls.py)."""

from django.urls import path

from sportello.alerts.console import area, preview

urlpatterns = [
    path("<int:pk>/area/", area.area, name="console_area"),
    path("<int:pk>/area/conteggio.json", area.area_count, name="console_area_count"),
    path("area/civici.json", area.civics, name="console_civics"),
    path("<int:pk>/anteprima/", preview.preview, name="console_preview"),
    path("<int:pk>/anteprima/punti.geojson", preview.points, name="console_points"),
]
