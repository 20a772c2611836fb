"""The compose engineer's console pages: the list, composing a draft, and the alert's hub with
its send, schedule, approve and stop actions (included by console/urls.py)."""

from django.urls import path

from sportello.alerts.console import compose, hub, listen

urlpatterns = [
    path("", compose.console_list, name="console_list"),
    path("nuova/", compose.console_create, name="console_create"),
    path("ascolta.wav", listen.console_listen, name="console_listen"),
    path("<int:pk>/", hub.console_detail, name="console_detail"),
    path("<int:pk>/modifica/", compose.console_edit, name="console_edit"),
    path("<int:pk>/registrazione/", listen.console_recording, name="console_recording"),
    path("<int:pk>/invio/", hub.console_submit, name="console_submit"),
    path("<int:pk>/approvazione/", hub.console_approve, name="console_approve"),
    path("<int:pk>/interruzione/", hub.console_stop, name="console_stop"),
    path("<int:pk>/aggiornamento/", hub.console_update, name="console_update"),
]
