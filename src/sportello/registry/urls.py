"""Certified citizens' registry pages (under i18n_patterns)."""

from django.urls import path

from sportello.registry import views

app_name = "registry"
urlpatterns = [
    path("i-miei-dati/", views.my_data, name="my_data"),
    path("i-miei-dati/segnala-errore/", views.correction_new, name="correction_new"),
]
