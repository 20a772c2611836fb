"""Alert system pages (under i18n_patterns)."""

from django.urls import path

from sportello.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.alerts_home, name="home"),
    path("iscrizione/", views.subscribe, name="subscribe"),
    path("iscrizione/verifica/", views.verify, name="verify"),
    path("iscrizione/completata/", views.done, name="done"),
]
