"""Stradario endpoints (address autocomplete)."""

from django.urls import path

from sportello.places import views

app_name = "places"
urlpatterns = [
    path("cerca/", views.address_autocomplete, name="address-search"),
]
