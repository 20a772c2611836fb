"""CAP 1.2 out (messages, Atom feed, index) and in (upload), under /allerta/cap/."""

from django.urls import path

from sportello.alerts.cap import views

urlpatterns = [
    path("", views.cap_index, name="cap_index"),
    path("feed.atom", views.cap_feed, name="cap_feed"),
    path("<uuid:identifier>.xml", views.cap_alert, name="cap_alert"),
    path("importa/", views.cap_upload, name="cap_upload"),
]
