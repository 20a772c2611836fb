"""Twilio's webhooks (mounted at canali/twilio/, outside i18n_patterns: Twilio signs the exact
address it calls, so it must not change with the language)."""

from django.urls import path

from sportello.channels import twilio_views

app_name = "twilio"
urlpatterns = [
    path("voice/status/", twilio_views.voice_status, name="voice_status"),
    path("voice/in/<str:step>/", twilio_views.voice_inbound, name="voice_inbound"),
    path("voice/<int:delivery_id>/<str:step>/", twilio_views.voice, name="voice"),
    path("sms/status/", twilio_views.sms_status, name="sms_status"),
]
