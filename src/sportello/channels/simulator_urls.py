"""The phone simulator (mounted at simulatore-telefono/ under i18n_patterns)."""

from django.urls import path

from sportello.channels import simulator_views

app_name = "simulator"
urlpatterns = [
    path("", simulator_views.simulator, name="phone"),
    path("chiamata/<int:delivery_id>/", simulator_views.answer, name="answer"),
    path("chiama/", simulator_views.place, name="place"),
    path("audio/", simulator_views.audio, name="audio"),
    path("fax/<int:delivery_id>/<int:page>.png", simulator_views.fax_page, name="fax_page"),
]
