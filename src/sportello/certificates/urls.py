"""Certificates online (under i18n_patterns, prefix «certificati/»)."""

from django.urls import path

from sportello.certificates import views

app_name = "certificates"
urlpatterns = [
    path("", views.home, name="home"),
    path("richiedi/", views.request_subject, name="request_subject"),
    path("richiedi/<int:person_id>/", views.request_certificate, name="request"),
    path("<int:pk>/pdf/", views.download, name="download"),
    path("autocertificazione/", views.self_declaration, name="self_declaration"),
    path("verifica/", views.verify, name="verify"),
    path("verifica/documento/", views.verify_document, name="verify_document"),
    path("verifica/<str:code>/", views.verify, name="verify_code"),
]
