"""Citizen identity pages (under i18n_patterns) and the counter operators' screens."""

from django.urls import path

from sportello.accounts import operator_views, smartcard_demo_views, views

app_name = "accounts"
urlpatterns = [
    path("accedi/", views.login_view, name="login"),
    path("accedi/codice/", views.otp_verify, name="otp_verify"),
    path("accedi/carta/", views.smartcard_login, name="smartcard_login"),
    # The demo's simulated card (404 unless SPORTELLO_SMARTCARD_SIMULATOR is on).
    path("accedi/carta/simulatore/", smartcard_demo_views.demo_card, name="smartcard_demo"),
    path("esci/", views.logout_view, name="logout"),
    path("sessione-scaduta/", views.session_expired, name="session_expired"),
    path("sessione/prolunga/", views.session_extend, name="session_extend"),
    path("area-personale/", views.account, name="account"),
    path("area-personale/password/", views.password_change, name="password_change"),
    path("area-personale/esci-ovunque/", views.sessions_end_all, name="sessions_end_all"),
    path("area-personale/revoca/", views.revoke_own, name="revoke_own"),
    path("area-personale/due-fattori/", views.otp_setup, name="otp_setup"),
    path("credenziali/", views.credentials_info, name="credentials_info"),
    path("credenziali/richiesta/", views.online_request, name="online_request"),
    path("credenziali/revocate/", views.revoked, name="revoked"),
    path("operatori/", operator_views.operator_home, name="operator_home"),
    path("operatori/credenziali/", operator_views.person_search, name="operator_search"),
    path(
        "operatori/credenziali/persona/<int:person_id>/",
        operator_views.person_credentials,
        name="operator_person",
    ),
    path(
        "operatori/credenziali/persona/<int:person_id>/revoca/",
        operator_views.person_revoke,
        name="operator_revoke",
    ),
    path("operatori/richieste/", operator_views.request_list, name="operator_requests"),
    path(
        "operatori/richieste/<int:request_id>/",
        operator_views.request_detail,
        name="operator_request",
    ),
    path(
        "operatori/richieste/<int:request_id>/allegati/<int:file_id>/",
        operator_views.request_file,
        name="operator_request_file",
    ),
]
