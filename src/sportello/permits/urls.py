"""Permits: the citizen's pages (under «permessi/»), the public check, the office's screens and
the cameras' plate list."""

from django.urls import path

from sportello.permits import operator_views, views, zone_map, zone_views

app_name = "permits"
urlpatterns = [
    path("permessi/", views.home, name="home"),
    path("permessi/nuovo/", views.apply, name="apply"),
    path("permessi/<int:pk>/", views.detail, name="detail"),
    path("permessi/<int:pk>/riepilogo/", views.summary, name="summary"),
    path("permessi/<int:pk>/rinnova/", views.renew, name="renew"),
    path("permessi/<int:pk>/targa/", views.plate_change, name="plate_change"),
    path("permessi/<int:pk>/pdf/", views.pdf, name="pdf"),
    path("permessi/verifica/", views.check, name="check"),
    path("operatori/permessi/", operator_views.queue, name="operator_queue"),
    path("operatori/permessi/statistiche/", operator_views.statistics, name="operator_stats"),
    path("operatori/permessi/<int:pk>/", operator_views.permit_detail, name="operator_detail"),
    path(
        "operatori/permessi/<int:pk>/documento/<str:which>/",
        operator_views.document,
        name="operator_document",
    ),
    path(
        "operatori/permessi/cambi-targa/<int:pk>/",
        operator_views.plate_change_detail,
        name="operator_plate_change",
    ),
    path(
        "operatori/permessi/cambi-targa/<int:pk>/documento/<str:which>/",
        operator_views.plate_change_document,
        name="operator_plate_change_document",
    ),
    path("operatori/permessi/targhe.csv", operator_views.plate_list_csv, name="operator_plates"),
    path("operatori/permessi/zone/", zone_views.zone_list, name="operator_zones"),
    path("operatori/permessi/chiavi/", zone_views.camera_tokens, name="operator_tokens"),
    path("operatori/permessi/zone/civici.json", zone_map.zone_civics, name="operator_zone_civics"),
    path(
        "operatori/permessi/zone/conteggio.json",
        zone_map.zone_area_count,
        name="operator_zone_count",
    ),
    path("operatori/permessi/zone/nuova/", zone_views.zone_edit, name="operator_zone_new"),
    path("operatori/permessi/zone/<int:pk>/", zone_views.zone_edit, name="operator_zone"),
    path(
        "operatori/permessi/tipi/<int:pk>/tariffe/",
        zone_views.permit_type_fees,
        name="operator_fees",
    ),
]
