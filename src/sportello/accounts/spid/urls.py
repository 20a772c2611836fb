"""SAML endpoints, outside the language prefixes: their addresses are in the federations'
metadata and must never change. The demo identity provider exists only when it is on."""

from django.conf import settings
from django.urls import re_path

from sportello.accounts.spid import demo_views, views

PROTOCOL = r"(?P<protocol>spid|cie)"

app_name = "spid"
urlpatterns = [
    re_path(rf"^{PROTOCOL}/login/$", views.spid_login, name="login"),
    re_path(rf"^{PROTOCOL}/acs/$", views.spid_acs, name="acs"),
    re_path(rf"^{PROTOCOL}/slo/$", views.spid_slo, name="slo"),
    re_path(rf"^{PROTOCOL}/metadata/$", views.spid_metadata, name="metadata"),
]
if settings.SPORTELLO_SPID["demo_idp"]:
    urlpatterns += [
        re_path(rf"^spid-demo/{PROTOCOL}/sso/$", demo_views.demo_sso, name="demo_sso"),
        re_path(rf"^spid-demo/{PROTOCOL}/slo/$", demo_views.demo_slo, name="demo_slo"),
        re_path(rf"^spid-demo/{PROTOCOL}/$", demo_views.demo_metadata, name="demo_metadata"),
    ]
