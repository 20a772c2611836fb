"""Alert system pages (under i18n_patterns)."""

from django.urls import include, path

from sportello.alerts import paper, views

app_name = "alerts"
urlpatterns = [
    path("operatori/allerte/", include("sportello.alerts.console.urls")),
    path("cap/", include("sportello.alerts.cap.urls")),
    path("avvisi/", include("sportello.alerts.public.urls")),
    path("", views.alerts_home, name="home"),
    path("registrazioni/<uuid:identifier>/", views.recording, name="recording"),
    path("iscrizione/", views.subscribe, name="subscribe"),
    path("informativa/", views.privacy, name="privacy"),
    path("iscrizione/verifica/", views.verify, name="verify"),
    path("iscrizione/completata/", views.done, name="done"),
    path("modulo-iscrizione.pdf", paper.subscription_form_pdf, name="paper_form"),
    path(
        "modulo-cancellazione.pdf", paper.deregistration_form_pdf, name="paper_deregistration_form"
    ),
    path("operatori/modulo-iscrizione/", paper.paper_subscription, name="paper_entry"),
    path(
        "operatori/modulo-cancellazione/", paper.paper_deregistration, name="paper_deregistration"
    ),
    path("operatori/richiamate/", paper.callbacks, name="callbacks"),
    path("gestisci/", views.manage_start, name="manage"),
    path("gestisci/verifica/", views.manage_verify, name="manage_verify"),
    path("gestisci/dati/", views.manage_data, name="manage_data"),
]
