"""Public pages of the portal (mounted under i18n_patterns: Italian at /, English at /en/)."""

from django.urls import path

from sportello.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("contatti/", views.contacts, name="contacts"),
    path("privacy/", views.privacy, name="privacy"),
    path("note-legali/", views.legal_notes, name="legal_notes"),
    path("accessibilita/", views.accessibility, name="accessibility"),
    path("valutazione/", views.feedback, name="feedback"),
    path("domande-frequenti/", views.faq, name="faq"),
    path("segnala-disservizio/", views.report_inefficiency, name="report_inefficiency"),
]
