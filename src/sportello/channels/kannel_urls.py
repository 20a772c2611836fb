"""Kannel's delivery reports (mounted at canali/kannel/, outside i18n_patterns: the address is
fixed when the message is sent and must not change with the language)."""

from django.urls import path

from sportello.channels import kannel_views

app_name = "kannel"
urlpatterns = [
    path("dlr/<int:delivery_id>/", kannel_views.dlr, name="dlr"),
]
